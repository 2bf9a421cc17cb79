import type { MigrationMode } from './sql/migration-runner';
import { openDataSource, type SqlTarget } from './sql/open-data-source';
import { postgresDialect, sqliteDialect } from './sql/dialect';
import { migrations } from './sql/migrations';
import { SqlDb } from './sql/sql-db';
import { TypeOrmEventStore } from './typeorm.event-store';

export type { MigrationMode } from './sql/migration-runner';
export type { SqlTarget } from './sql/open-data-source';

/** Where the store lives, and whether this process migrates it (`apply`, the default) or only reads. */
export type EventStoreOptions = SqlTarget & { readonly migrations?: MigrationMode };

/** Our own migrations table, so other packages' TypeORM migrations in the same schema never mix with ours. */
const MIGRATIONS_TABLE = 'eventstore_migrations';

/**
 * Connects, brings the schema up to date with explicit migrations (or only
 * checks that it is, with `migrations: 'verify'`), and returns the store.
 */
export async function createEventStore(options: EventStoreOptions): Promise<TypeOrmEventStore> {
  const schemaOf = options.driver === 'postgres' ? (options.schema ?? 'public') : '';
  const dialect = options.driver === 'postgres' ? postgresDialect(schemaOf) : sqliteDialect();
  const { dataSource } = await openDataSource(options, {
    what: 'event store',
    owner: 'token-service',
    migrations,
    table: MIGRATIONS_TABLE,
    lockKey: dialect.lockParams.migrate,
    mode: options.migrations ?? 'apply',
    defaultPoolSize: 10,
  });
  const logger = options.driver === 'postgres' ? options.logger : undefined;
  return new TypeOrmEventStore(new SqlDb(dataSource, dialect, logger));
}
