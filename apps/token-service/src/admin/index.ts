export * from './admin.module';
export * from './admin.rpc-handlers';
export * from './client-admin.service';
export * from './client-registrations.service';
export * from './user-admin.service';
