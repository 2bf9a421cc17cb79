export * from './decider-specification';
export * from './event-store.contract';
export * from './event-bus.contract';
export * from './cache.contract';
