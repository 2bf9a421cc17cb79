export * from './command-runner';
export * from './actor-context';
export * from './recent-states';
export * from './projection';
export * from './apply-introspection-writes';
export type { RequestStamp } from './request-stamp';
