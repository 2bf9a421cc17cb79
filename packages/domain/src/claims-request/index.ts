export * from './acr';
export * from './requested-claims';
