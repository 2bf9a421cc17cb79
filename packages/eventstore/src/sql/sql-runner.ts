import { sha256 } from '@idp/crypto';
import type { DataSource, QueryRunner } from 'typeorm';
import {
  defaultStorageLogger,
  readWithRetry,
  withQueryRunner,
  type StorageLogger,
} from './connection-guard';
import { Mutex } from './mutex';

export type Row = Readonly<Record<string, unknown>>;
export type Driver = 'postgres' | 'sqlite';

/** The little SQL surface the stores need. */
export interface Sql {
  query(text: string, params?: readonly unknown[]): Promise<Row[]>;
  /** For writes without RETURNING: the number of affected rows. */
  exec(text: string, params?: readonly unknown[]): Promise<number>;
}

/** What the runner needs to know of a driver; the event store's Dialect adds its own parts. */
export interface SqlDriver {
  readonly driver: Driver;
  /** SQL is written once with `?` placeholders; PostgreSQL wants `$1..$n`. */
  placeholders(text: string): string;
  /** Serialises units of work that must not interleave on one connection. */
  serialize<T>(fn: () => Promise<T>): Promise<T>;
}

/**
 * PostgreSQL runs units of work side by side on pooled connections; SQLite
 * has one shared connection, so they run one at a time (two interleaved
 * transactions would otherwise become one).
 */
export function sqlDriver(driver: Driver): SqlDriver {
  if (driver === 'sqlite') {
    const mutex = new Mutex();
    return { driver, placeholders: (text) => text, serialize: (fn) => mutex.run(fn) };
  }
  return {
    driver,
    placeholders(text) {
      let n = 0;
      return text.replace(/\?/g, () => `$${++n}`);
    },
    serialize: (fn) => fn(),
  };
}

/**
 * Raw SQL over a TypeORM DataSource, for every SQL adapter (the event store,
 * session-service's delivery queue). Every unit of work gets its own
 * QueryRunner (a pooled connection on PostgreSQL); a connection that dies
 * under one is dropped, never reused (ADR 0014).
 */
export class SqlRunner<D extends SqlDriver = SqlDriver> {
  constructor(
    readonly dataSource: DataSource,
    readonly dialect: D,
    protected readonly log: StorageLogger = defaultStorageLogger,
  ) {}

  get driver(): Driver {
    return this.dialect.driver;
  }

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

/**
 * A 64-bit PostgreSQL advisory lock key per owner (`idp-eventstore`), purpose
 * and schema, so stores in different schemas of one database never block
 * each other.
 */
export function advisoryLockKey(owner: string, purpose: string, schema: string): string {
  const digest = sha256(`${owner}:${purpose}:${schema}`);
  return digest.readBigInt64BE(0).toString();
}
