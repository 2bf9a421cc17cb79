import { DataSource, type DataSourceOptions } from 'typeorm';
import { migrate, verifyMigrated, type OwnMigrations } from './migration-runner';
import { defaultStorageLogger, guardedPgOptions, type StorageLogger } from './connection-guard';
import type { PgSsl } from './pg-ssl';

/** Where a SQL-backed adapter lives: PostgreSQL (a schema of it) or a SQLite file. */
export type SqlTarget =
  | {
      readonly driver: 'postgres';
      readonly url: string;
      /** Created if missing (when migrating); default `public`. */
      readonly schema?: string;
      /** Connections in the pool. */
      readonly poolSize?: number;
      /**
       * PostgreSQL's application_name of every connection, so operators (and
       * tests) can find them in pg_stat_activity: `idp-<app>` by convention;
       * default `idp-<owner>`. A schema other than `public` is appended
       * (`idp-token-service/tenant_a`), so stacks sharing a server stay apart.
       */
      readonly applicationName?: string;
      /** Where lost connections are reported; default stderr. */
      readonly logger?: StorageLogger;
      /** TLS (pgSslConfig, from DATABASE_SSL); unset: what `sslmode` in the URL says. */
      readonly ssl?: PgSsl;
    }
  | {
      readonly driver: 'sqlite';
      /** The database file; its folder is created if missing. */
      readonly file: string;
    };

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * One way to connect every SQL adapter (the event store, session-service's
 * delivery queue): the same timeouts, search_path and durability settings,
 * and explicit migrations (never `synchronize`). Returns an initialised
 * DataSource whose migrations are applied (or verified).
 */
export async function openDataSource(
  target: SqlTarget,
  own: OwnMigrations,
): Promise<{ dataSource: DataSource; schema: string }> {
  const schema = target.driver === 'postgres' ? (target.schema ?? 'public') : '';
  if (target.driver === 'postgres' && !SCHEMA_NAME.test(schema)) {
    throw new RangeError(`schema must match ${SCHEMA_NAME.source}, got ${schema}`);
  }
  const dataSource = new DataSource(dataSourceOptions(target, schema, own));
  await dataSource.initialize();
  try {
    if (own.mode === 'verify') await verifyMigrated(dataSource, own);
    else await migrate(dataSource, schema, own);
  } catch (err) {
    await dataSource.destroy();
    throw err;
  }
  return { dataSource, schema };
}

function dataSourceOptions(
  target: SqlTarget,
  schema: string,
  own: OwnMigrations,
): DataSourceOptions {
  const common = {
    migrations: own.migrations,
    migrationsTableName: own.table,
    synchronize: false,
    entities: [],
  };
  if (target.driver === 'postgres') {
    const log = target.logger ?? defaultStorageLogger;
    return {
      ...common,
      type: 'postgres',
      url: target.url,
      ...(target.ssl === undefined ? {} : { ssl: target.ssl }),
      schema,
      poolSize: target.poolSize ?? own.defaultPoolSize,
      // A readiness probe or a write must fail, not hang, when the database is unreachable.
      connectTimeoutMS: 5_000,
      // The guarded client already logged the error the pool re-emits.
      poolErrorHandler: () => undefined,
      extra: {
        ...guardedPgOptions(applicationNameOf(target, schema, own), log),
        // Our SQL uses unqualified table names; they resolve to this schema.
        options: `-c search_path=${schema}`,
      },
    };
  }
  return {
    ...common,
    type: 'better-sqlite3',
    database: target.file,
    prepareDatabase(db: { pragma(source: string): unknown }) {
      // WAL: readers never block the writer, and a commit is one append to the log.
      db.pragma('journal_mode = WAL');
      // FULL (not NORMAL) fsyncs the WAL at every commit, so an acknowledged
      // write survives power loss, not only a process crash (guarantee 4).
      db.pragma('synchronous = FULL');
    },
  };
}

/** PostgreSQL truncates application_name to 63 bytes; ours are ASCII. */
const MAX_APPLICATION_NAME = 63;

export function applicationNameOf(
  target: Extract<SqlTarget, { driver: 'postgres' }>,
  schema: string,
  own: Pick<OwnMigrations, 'owner'>,
): string {
  const base = target.applicationName ?? `idp-${own.owner}`;
  return (schema === 'public' ? base : `${base}/${schema}`).slice(0, MAX_APPLICATION_NAME);
}
