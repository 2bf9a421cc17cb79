export * from './ssf-stream.decider';
export { checkPushEndpoint, eventsDelivered } from './ssf-stream.rules';
export * from './ssf-subjects';
