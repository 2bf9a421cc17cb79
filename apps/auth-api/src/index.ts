export * from './auth-api.module';
