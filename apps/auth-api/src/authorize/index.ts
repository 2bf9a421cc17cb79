export * from './authorization-error';
export * from './authorization-request';
export * from './authorization-response';
export * from './response-type';
export * from './types';
export * from './request-object';
