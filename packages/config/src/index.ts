export * from './defaults';
export * from './load-config';
export * from './config-docs';
