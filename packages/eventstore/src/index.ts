export * from './event-store.port';
export * from './outbox.port';
export { TypeOrmEventStore } from './typeorm.event-store';
export {
  createEventStore,
  type EventStoreOptions,
  type MigrationMode,
  type SqlTarget,
} from './create-event-store';
export { openDataSource } from './sql/open-data-source';
export type { OwnMigrations } from './sql/migration-runner';
export {
  advisoryLockKey,
  sqlDriver,
  SqlRunner,
  type Driver,
  type Row,
  type Sql,
  type SqlDriver,
} from './sql/sql-runner';
export {
  consoleStorageLogger,
  defaultStorageLogger,
  readWithRetry,
  withQueryRunner,
  type StorageLogger,
} from './sql/connection-guard';
export { OutboxRelay } from './outbox-relay';
export type {
  BackoffOptions,
  OutboxRelayHooks,
  OutboxRelayOptions,
  OutboxRelayStats,
} from './outbox-relay.options';
export { pgSslConfig, type PgSsl, type PgSslMode } from './sql/pg-ssl';
