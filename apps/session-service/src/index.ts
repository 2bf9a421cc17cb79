export * from './session-service.module';
export * from './sessions/session.service';
export * from './sessions/session.rpc-handlers';
export * from './backchannel-logout';
export * from './shared-signals';
