export * from './decider';
export * from './key-ring/key-ring.decider';
export * from './grant';
export * from './client';
export * from './user';
export * from './session/session.decider';
export * from './username/username.decider';
export * from './resource';
