export * from './authorization-error';
export * from './authorization-request';
export * from './authorization-response';
export * from './parse-params';
export * from './response-type';
export * from './types';
