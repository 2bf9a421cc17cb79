import { createHash } from 'node:crypto';
import {
  consoleStorageLogger,
  readWithRetry,
  withQueryRunner,
  type StorageLogger,
} from '@idp/eventstore';
import type { DataSource, QueryRunner } from 'typeorm';

export type Row = Readonly<Record<string, unknown>>;
export type Driver = 'postgres' | 'sqlite';

export interface Sql {
  query(text: string, params?: readonly unknown[]): Promise<Row[]>;
  /** A statement without a result set; returns the rows it affected. */
  exec(text: string, params?: readonly unknown[]): Promise<number>;
}

/**
 * Raw SQL over a TypeORM DataSource, written once with `?` placeholders.
 * SQLite has one shared connection, so units of work are serialised on it
 * (two interleaved transactions would otherwise become one). A connection
 * that dies under a unit of work is dropped, never reused (ADR 0014).
 */
export class SqlRunner {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    readonly dataSource: DataSource,
    readonly driver: Driver,
    private readonly log: StorageLogger = consoleStorageLogger,
  ) {}

  run<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    return this.serialize(() => this.withRunner((qr) => work(this.sqlOf(qr))));
  }

  /** For work that only reads: repeated once on a fresh connection after a lost one. */
  read<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    return readWithRetry(() => this.run(work), this.log);
  }

  transaction<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    return this.serialize(() =>
      this.withRunner(async (qr) => {
        await qr.startTransaction();
        try {
          const result = await work(this.sqlOf(qr));
          await qr.commitTransaction();
          return result;
        } catch (err) {
          await qr.rollbackTransaction().catch(() => undefined);
          throw err;
        }
      }),
    );
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    if (this.driver === 'postgres') return fn();
    const result = this.tail.then(fn);
    this.tail = result.catch(() => undefined);
    return result;
  }

  private withRunner<T>(fn: (qr: QueryRunner) => Promise<T>): Promise<T> {
    return withQueryRunner(this.dataSource, fn);
  }

  private sqlOf(qr: QueryRunner): Sql {
    const placeholders = (text: string) => {
      if (this.driver === 'sqlite') return text;
      let n = 0;
      return text.replace(/\?/g, () => `$${++n}`);
    };
    const run = (text: string, params: readonly unknown[]) =>
      qr.query(placeholders(text), [...params], true);
    return {
      query: async (text, params = []) => ((await run(text, params)).records ?? []) as Row[],
      exec: async (text, params = []) => (await run(text, params)).affected ?? 0,
    };
  }
}

/** A 64-bit advisory lock key, per purpose and schema (as the event store derives its own). */
export function advisoryLockKey(purpose: string, schema: string): string {
  const digest = createHash('sha256').update(`idp-backchannel:${purpose}:${schema}`).digest();
  return digest.readBigInt64BE(0).toString();
}
