import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { deliveryMigrations } from './delivery-migrations';
import { advisoryLockKey, SqlRunner } from './sql-runner';
import { SqlDeliveryStore } from './sql.delivery-store';

export type DeliveryStoreOptions =
  | {
      readonly driver: 'postgres';
      readonly url: string;
      /** Created if missing; default `public`. The same schema as the event store is fine. */
      readonly schema?: string;
      readonly poolSize?: number;
    }
  | { readonly driver: 'sqlite'; readonly file: string };

/** Our own migrations table, so the event store's migrations never mix with ours. */
const MIGRATIONS_TABLE = 'backchannel_migrations';
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Connects, brings the delivery table up to date and returns the store. */
export async function createDeliveryStore(
  options: DeliveryStoreOptions,
): Promise<SqlDeliveryStore> {
  const schema = options.driver === 'postgres' ? (options.schema ?? 'public') : '';
  if (options.driver === 'postgres' && !SCHEMA_NAME.test(schema))
    throw new RangeError(`schema must match ${SCHEMA_NAME.source}, got ${schema}`);
  if (options.driver === 'sqlite') mkdirSync(dirname(options.file), { recursive: true });
  const dataSource = new DataSource(dataSourceOptions(options, schema));
  await dataSource.initialize();
  const db = new SqlRunner(dataSource, options.driver);
  try {
    await migrate(db, schema);
  } catch (err) {
    await db.close();
    throw err;
  }
  return new SqlDeliveryStore(db);
}

function dataSourceOptions(options: DeliveryStoreOptions, schema: string): DataSourceOptions {
  const common = {
    migrations: deliveryMigrations,
    migrationsTableName: MIGRATIONS_TABLE,
    synchronize: false,
    entities: [],
  };
  if (options.driver === 'postgres')
    return {
      ...common,
      type: 'postgres',
      url: options.url,
      schema,
      poolSize: options.poolSize ?? 5,
      connectTimeoutMS: 5_000,
      extra: { options: `-c search_path=${schema}` },
    };
  return {
    ...common,
    type: 'better-sqlite3',
    database: options.file,
    prepareDatabase(db: { pragma(source: string): unknown }) {
      db.pragma('journal_mode = WAL');
      // A scheduled delivery must survive power loss, like the events it came from.
      db.pragma('synchronous = FULL');
    },
  };
}

async function migrate(db: SqlRunner, schema: string): Promise<void> {
  const { dataSource } = db;
  if (db.driver === 'sqlite') {
    await dataSource.runMigrations({ transaction: 'all' });
    return;
  }
  // Replicas booting together: one migrates, the others wait and find nothing to do.
  const key = advisoryLockKey('migrate', schema);
  const lock = dataSource.createQueryRunner();
  try {
    await lock.query('SELECT pg_advisory_lock(CAST($1 AS bigint))', [key]);
    try {
      await lock.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await dataSource.runMigrations({ transaction: 'all' });
    } finally {
      await lock.query('SELECT pg_advisory_unlock(CAST($1 AS bigint))', [key]);
    }
  } finally {
    await lock.release();
  }
}
