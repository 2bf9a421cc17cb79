export * from './oauth-error';
export * from './errors';
export * from './render';
export * from './storage-faults';
