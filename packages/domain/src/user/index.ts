export * from './user.decider';
export * from './user.claims';
export { claimsProblem } from './user.claims.rules';
