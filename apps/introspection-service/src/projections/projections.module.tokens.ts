export const INTROSPECTION_PROJECTOR = Symbol('IntrospectionProjector');
