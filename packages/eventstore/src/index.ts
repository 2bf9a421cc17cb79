export * from './event-store.port';
export * from './outbox.port';
export { TypeOrmEventStore } from './typeorm.event-store';
export { createEventStore, type EventStoreOptions } from './create-event-store';
export { OutboxRelay } from './outbox-relay';
export type {
  BackoffOptions,
  OutboxRelayHooks,
  OutboxRelayOptions,
  OutboxRelayStats,
} from './outbox-relay.options';
