export * from './introspection-service.module';
export * from './projections/jwks.projection';
export * from './projections/jwks.read-model';
export * from './projections/projections.module.tokens';
export * from './introspection/introspection.module';
export * from './introspection/introspection-response';
export { CLIENT_INVALIDATION_CHANNEL } from './introspection/caller-authenticator';
