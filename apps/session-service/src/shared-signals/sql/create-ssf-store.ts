import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  advisoryLockKey,
  openDataSource,
  sqlDriver,
  SqlRunner,
  type SqlTarget,
} from '@idp/eventstore';
import { ssfMigrations } from './ssf-migrations';
import { SqlSsfStore } from './sql.ssf-store';

/** Our own migrations table, so neither the event store's nor back-channel's mix with ours. */
const MIGRATIONS_TABLE = 'ssf_migrations';

/** PostgreSQL (the event store's database and schema) or a SQLite file; migrates, returns the store. */
export async function createSsfStore(options: SqlTarget): Promise<SqlSsfStore> {
  if (options.driver === 'sqlite') mkdirSync(dirname(options.file), { recursive: true });
  const schema = options.driver === 'postgres' ? (options.schema ?? 'public') : '';
  const { dataSource } = await openDataSource(options, {
    what: 'Shared Signals tables',
    owner: 'session-service',
    migrations: ssfMigrations,
    table: MIGRATIONS_TABLE,
    lockKey: advisoryLockKey('idp-ssf', 'migrate', schema),
    defaultPoolSize: 5,
  });
  const logger = options.driver === 'postgres' ? options.logger : undefined;
  return new SqlSsfStore(new SqlRunner(dataSource, sqlDriver(options.driver), logger));
}
