export * from './oauth-error';
export * from './errors';
export * from './http-response';
export * from './no-store';
export * from './render';
export * from './storage-faults';
export * from './dpop-errors';
