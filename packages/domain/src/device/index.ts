export * from './device.decider';
export * from './user-code';
