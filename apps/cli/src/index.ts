export { main, topUsage } from './main';
export { COMMANDS } from './commands';
export type { Io } from './support/io';
