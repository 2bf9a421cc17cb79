export * from './admin-api.schemas';
export * from './admin-api.operations';
export * from './admin-api.openapi';
