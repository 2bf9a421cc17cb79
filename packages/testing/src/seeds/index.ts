export * from './backchannel-rps';
export * from './session-join';
