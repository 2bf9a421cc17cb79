export * from './decider-specification';
export * from './event-store.contract';
export * from './event-bus.contract';
export * from './cache.contract';
export * from './throttle.contract';
export * from './shared-counter.contract';
export * from './seeds';
export * from './free-port';
