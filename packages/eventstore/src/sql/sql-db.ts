import type { DataSource, QueryRunner } from 'typeorm';
import type { LeaseResult } from '../outbox.port';
import {
  defaultStorageLogger,
  readWithRetry,
  withQueryRunner,
  type StorageLogger,
} from './connection-guard';
import type { Dialect } from './dialect';

export type Row = Readonly<Record<string, unknown>>;

/** The little SQL surface the store and the outbox need. */
export interface Sql {
  query(text: string, params?: readonly unknown[]): Promise<Row[]>;
  /** For writes without RETURNING: the number of affected rows. */
  exec(text: string, params?: readonly unknown[]): Promise<number>;
}

/** Runs one unit of work; inside a lease every call shares the lease's transaction or lock. */
export type Runner = <T>(work: (sql: Sql) => Promise<T>) => Promise<T>;

/**
 * A TypeORM DataSource seen through raw SQL and a {@link Dialect}. Every unit
 * of work gets its own QueryRunner (a pooled connection on PostgreSQL); a
 * connection that dies under one is dropped, never reused (ADR 0014).
 */
export class SqlDb {
  private relayLeaseTaken = false;

  constructor(
    readonly dataSource: DataSource,
    readonly dialect: Dialect,
    private readonly log: StorageLogger = defaultStorageLogger,
  ) {}

  run<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    return this.dialect.serialize(() => this.withRunner((qr) => work(this.sqlOf(qr))));
  }

  /** For work that only reads: repeated once on a fresh connection after a lost one. */
  read<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    return readWithRetry(() => this.run(work), this.log);
  }

  transaction<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    return this.dialect.serialize(() =>
      this.withRunner(async (qr) => {
        await qr.startTransaction();
        try {
          const result = await work(this.sqlOf(qr));
          await qr.commitTransaction();
          return result;
        } catch (err) {
          // A broken connection cannot roll back; the server discards the transaction anyway.
          await qr.rollbackTransaction().catch(() => undefined);
          throw err;
        }
      }),
    );
  }

  /**
   * PostgreSQL: one transaction holding `pg_try_advisory_xact_lock`, so any
   * number of processes may run a relay and exactly one publishes; the lock
   * dies with the transaction or the connection, never stranded.
   * SQLite: one process owns the file, so an in-process flag suffices and each
   * step is its own short transaction (appends are not blocked while publishing).
   */
  async withRelayLease<T>(fn: (run: Runner) => Promise<T>): Promise<LeaseResult<T>> {
    const leaseSql = this.dialect.relayLeaseSql;
    if (leaseSql) {
      return this.transaction(async (sql): Promise<LeaseResult<T>> => {
        const [row] = await sql.query(leaseSql, [this.dialect.lockParams.relay]);
        if (row?.held !== true) return { held: false };
        return { held: true, value: await fn((work) => work(sql)) };
      });
    }
    if (this.relayLeaseTaken) return { held: false };
    this.relayLeaseTaken = true;
    try {
      return { held: true, value: await fn((work) => this.transaction(work)) };
    } finally {
      this.relayLeaseTaken = false;
    }
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  private withRunner<T>(fn: (qr: QueryRunner) => Promise<T>): Promise<T> {
    return withQueryRunner(this.dataSource, fn);
  }

  private sqlOf(qr: QueryRunner): Sql {
    const run = (text: string, params: readonly unknown[]) =>
      qr.query(this.dialect.placeholders(text), [...params], true);
    return {
      query: async (text, params = []) => ((await run(text, params)).records ?? []) as Row[],
      exec: async (text, params = []) => (await run(text, params)).affected ?? 0,
    };
  }
}
