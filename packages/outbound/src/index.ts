export * from './outbound-error';
export * from './guarded-lookup';
export * from './outbound-client';
export * from './outbound-config';
