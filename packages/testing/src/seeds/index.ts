export * from './backchannel-rps';
export * from './session-join';
export * from './service-clients';
