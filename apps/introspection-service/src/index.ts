export * from './introspection-service.module';
export * from './projections/jwks.projection';
export * from './projections/jwks.read-model';
export * from './projections/projections.module.tokens';
