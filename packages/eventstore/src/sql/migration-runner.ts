import type { DataSource, MigrationInterface } from 'typeorm';

/*
 * The one migration runner of every SQL adapter (the event store's
 * migrations.ts, session-service's delivery-migrations.ts): explicit,
 * versioned TypeORM migrations in the owner's own migrations table, applied
 * in one transaction, never `synchronize`.
 */

/**
 * `apply` (the default, for the services that own the tables) brings the
 * schema up to date; `verify` changes nothing and fails unless every
 * migration was applied: for tools that only read, which may run with a
 * read-only role and must never alter a schema from another release.
 */
export type MigrationMode = 'apply' | 'verify';

/** The tables one owner migrates, and how. */
export interface OwnMigrations {
  /** What these tables are, for errors: "event store". */
  readonly what: string;
  /** The service that migrates them, for errors: "token-service". */
  readonly owner: string;
  readonly migrations: (new () => MigrationInterface)[];
  /** A table per owner, so two owners' migrations in one schema never mix. */
  readonly table: string;
  /** PostgreSQL advisory lock key (a decimal bigint) serialising replicas that boot together. */
  readonly lockKey: string;
  readonly mode?: MigrationMode;
  /** Connections in the pool when the target does not say. */
  readonly defaultPoolSize: number;
}

/** Reads the migrations table only (TypeORM's showMigrations would create it). */
export async function verifyMigrated(dataSource: DataSource, own: OwnMigrations): Promise<void> {
  let applied: Set<string>;
  try {
    const rows = (await dataSource.query(`SELECT name FROM ${own.table}`)) as { name: string }[];
    applied = new Set(rows.map((r) => r.name));
  } catch (err) {
    throw new Error(`no ${own.what} here (${(err as Error).message})`);
  }
  if (own.migrations.some((m) => !applied.has(new m().name ?? m.name))) {
    throw new Error(
      `the ${own.what} schema is not up to date: start the service that owns it (${own.owner}) first`,
    );
  }
}

export async function migrate(
  dataSource: DataSource,
  schema: string,
  own: OwnMigrations,
): Promise<void> {
  if (dataSource.options.type !== 'postgres') {
    await dataSource.runMigrations({ transaction: 'all' });
    return;
  }
  // Replicas that boot together would race to create the same tables: one
  // migrates while the others wait on this session lock, then find nothing to do.
  const lock = dataSource.createQueryRunner();
  try {
    await lock.query('SELECT pg_advisory_lock(CAST($1 AS bigint))', [own.lockKey]);
    try {
      await lock.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await dataSource.runMigrations({ transaction: 'all' });
    } finally {
      await lock.query('SELECT pg_advisory_unlock(CAST($1 AS bigint))', [own.lockKey]);
    }
  } finally {
    await lock.release();
  }
}
