import { DataSource, type DataSourceOptions } from 'typeorm';
import { postgresDialect, sqliteDialect } from './sql/dialect';
import { migrations } from './sql/migrations';
import { SqlDb } from './sql/sql-db';
import { TypeOrmEventStore } from './typeorm.event-store';

/**
 * `apply` (the default, for the services that own the store) brings the
 * schema up to date; `verify` changes nothing and fails unless every
 * migration was applied: for tools that only read (the introspection
 * rebuild), which may run with a read-only database role and must never
 * alter a production schema from an older or newer release.
 */
export type MigrationMode = 'apply' | 'verify';

export type EventStoreOptions = (
  | {
      readonly driver: 'postgres';
      readonly url: string;
      /** Created if missing; default `public`. */
      readonly schema?: string;
      /** Connections in the pool; default 10. */
      readonly poolSize?: number;
    }
  | {
      readonly driver: 'sqlite';
      /** The database file; its folder is created if missing. */
      readonly file: string;
    }
) & { readonly migrations?: MigrationMode };

/** Our own migrations table, so other packages' TypeORM migrations in the same schema never mix with ours. */
const MIGRATIONS_TABLE = 'eventstore_migrations';
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Connects, brings the schema up to date with explicit migrations (or only
 * checks that it is, with `migrations: 'verify'`), and returns the store.
 */
export async function createEventStore(options: EventStoreOptions): Promise<TypeOrmEventStore> {
  const schema = options.driver === 'postgres' ? (options.schema ?? 'public') : '';
  if (options.driver === 'postgres' && !SCHEMA_NAME.test(schema)) {
    throw new RangeError(`schema must match ${SCHEMA_NAME.source}, got ${schema}`);
  }
  const dataSource = new DataSource(dataSourceOptions(options, schema));
  await dataSource.initialize();
  const db = new SqlDb(
    dataSource,
    options.driver === 'postgres' ? postgresDialect(schema) : sqliteDialect(),
  );
  try {
    if (options.migrations === 'verify') await verifyMigrated(db);
    else await migrate(db, schema);
  } catch (err) {
    await db.close();
    throw err;
  }
  return new TypeOrmEventStore(db);
}

function dataSourceOptions(options: EventStoreOptions, schema: string): DataSourceOptions {
  const common = {
    migrations,
    migrationsTableName: MIGRATIONS_TABLE,
    synchronize: false,
    entities: [],
  };
  if (options.driver === 'postgres') {
    return {
      ...common,
      type: 'postgres',
      url: options.url,
      schema,
      poolSize: options.poolSize ?? 10,
      // A readiness probe or an append must fail, not hang, when the database is unreachable.
      connectTimeoutMS: 5_000,
      // The store's SQL uses unqualified table names; they resolve to this schema.
      extra: { options: `-c search_path=${schema}` },
    };
  }
  return {
    ...common,
    type: 'better-sqlite3',
    database: options.file,
    prepareDatabase(db: { pragma(source: string): unknown }) {
      // WAL: readers never block the writer, and a commit is one append to the log.
      db.pragma('journal_mode = WAL');
      // FULL (not NORMAL) fsyncs the WAL at every commit, so an acknowledged
      // append survives power loss, not only a process crash: guarantee 4
      // ("a crash loses no committed event") covers tokens already handed out.
      db.pragma('synchronous = FULL');
    },
  };
}

/** Reads the migrations table only (TypeORM's showMigrations would create it). */
async function verifyMigrated(db: SqlDb): Promise<void> {
  let applied: Set<string>;
  try {
    const rows = (await db.dataSource.query(`SELECT name FROM ${MIGRATIONS_TABLE}`)) as {
      name: string;
    }[];
    applied = new Set(rows.map((r) => r.name));
  } catch (err) {
    throw new Error(`no event store here (${(err as Error).message})`);
  }
  const pending = migrations.some((m) => !applied.has(new m().name));
  if (pending) {
    throw new Error(
      'the event store schema is not up to date: start the service that owns it (token-service) first',
    );
  }
}

async function migrate(db: SqlDb, schema: string): Promise<void> {
  const { dataSource, dialect } = db;
  if (dialect.driver === 'sqlite') {
    await dataSource.runMigrations({ transaction: 'all' });
    return;
  }
  // Replicas that boot together would race to create the same tables: one
  // migrates while the others wait on this session lock, then find nothing to do.
  const lock = dataSource.createQueryRunner();
  try {
    await lock.query('SELECT pg_advisory_lock(CAST($1 AS bigint))', [dialect.lockParams.migrate]);
    try {
      await lock.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await dataSource.runMigrations({ transaction: 'all' });
    } finally {
      await lock.query('SELECT pg_advisory_unlock(CAST($1 AS bigint))', [
        dialect.lockParams.migrate,
      ]);
    }
  } finally {
    await lock.release();
  }
}
