import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  advisoryLockKey,
  openDataSource,
  sqlDriver,
  SqlRunner,
  type SqlTarget,
} from '@idp/eventstore';
import { deliveryMigrations } from './delivery-migrations';
import { SqlDeliveryStore } from './sql.delivery-store';

/** PostgreSQL (the event store's database and schema are fine) or a SQLite file. */
export type DeliveryStoreOptions = SqlTarget;

/** Our own migrations table, so the event store's migrations never mix with ours. */
const MIGRATIONS_TABLE = 'backchannel_migrations';

/** Connects (as every SQL adapter does: @idp/eventstore's openDataSource), migrates, returns the store. */
export async function createDeliveryStore(
  options: DeliveryStoreOptions,
): Promise<SqlDeliveryStore> {
  if (options.driver === 'sqlite') mkdirSync(dirname(options.file), { recursive: true });
  const schema = options.driver === 'postgres' ? (options.schema ?? 'public') : '';
  const { dataSource } = await openDataSource(options, {
    what: 'back-channel delivery table',
    owner: 'session-service',
    migrations: deliveryMigrations,
    table: MIGRATIONS_TABLE,
    lockKey: advisoryLockKey('idp-backchannel', 'migrate', schema),
    defaultPoolSize: 5,
  });
  const logger = options.driver === 'postgres' ? options.logger : undefined;
  return new SqlDeliveryStore(new SqlRunner(dataSource, sqlDriver(options.driver), logger));
}
