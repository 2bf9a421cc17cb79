export * from './oauth-error';
export * from './errors';
export * from './render';
