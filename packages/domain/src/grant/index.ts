export * from './grant.state';
export * from './grant.commands';
export * from './grant.decider';
export * from './grant.errors';
export * from './grant.queries';
export { rejectionFor } from './rejection';
export type { PendingGrantEvent } from './grant.events';
export { scopeTokens, hasScope, narrowScope, withinRegistration } from './scope';
export { isValidCodeVerifier, isValidCodeChallenge, s256Challenge, pkceSatisfied } from './pkce';
