export * from './auth-api.module';
export * from './par/pushed-request-store.module';
