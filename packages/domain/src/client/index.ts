export * from './client.state';
export * from './client.commands';
export * from './client.decider';
export * from './client.queries';
export * from './assertion-algs';
export {
  parseClientMetadata,
  validateClientMetadata,
  SIGNING_ALGS,
  RESERVED_ACCESS_TOKEN_CLAIMS,
} from './client-metadata.rules';
