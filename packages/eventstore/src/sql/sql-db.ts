import type { LeaseResult } from '../outbox.port';
import type { Dialect } from './dialect';
import { SqlRunner, type Sql } from './sql-runner';

export type { Row, Sql } from './sql-runner';

/** Runs one unit of work; inside a lease every call shares the lease's transaction or lock. */
export type Runner = <T>(work: (sql: Sql) => Promise<T>) => Promise<T>;

/** The event store's runner: the shared SqlRunner plus the outbox relay's lease. */
export class SqlDb extends SqlRunner<Dialect> {
  private relayLeaseTaken = false;

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
}
