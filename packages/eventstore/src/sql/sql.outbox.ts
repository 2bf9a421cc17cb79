import type {
  LeaseResult,
  Outbox,
  OutboxBacklog,
  OutboxEntry,
  OutboxSession,
} from '../outbox.port';
import type { Dialect } from './dialect';
import { eventColumns, int, text, toStoredEvent } from './event-rows';
import type { Runner, SqlDb } from './sql-db';

/** Bounds one purge statement so a backlog of sent rows never becomes one huge delete. */
const PURGE_CHUNK = 10_000;
const MAX_ERROR_LENGTH = 500;

/** The outbox table as the relay sees it. */
export class SqlOutbox implements Outbox {
  constructor(private readonly db: SqlDb) {}

  withLease<T>(fn: (session: OutboxSession) => Promise<T>): Promise<LeaseResult<T>> {
    return this.db.withRelayLease((run) => fn(sessionOf(run, this.db.dialect)));
  }

  async pendingCount(): Promise<number> {
    const [row] = await this.db.read((sql) =>
      sql.query('SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL'),
    );
    return row ? int(row, 'n') : 0;
  }

  async backlog(): Promise<OutboxBacklog> {
    // Both through the partial index on unsent rows: the lowest position is the oldest row.
    const [row] = await this.db.read((sql) =>
      sql.query(
        `SELECT (SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL) AS n,
                (SELECT created_at FROM outbox WHERE sent_at IS NULL
                 ORDER BY position LIMIT 1) AS oldest`,
      ),
    );
    const oldest = row?.['oldest'];
    return {
      count: row ? int(row, 'n') : 0,
      // pg returns timestamptz as a Date, SQLite the ISO text it was written as.
      oldestCreatedAt:
        oldest == null ? undefined : oldest instanceof Date ? oldest : new Date(String(oldest)),
    };
  }

  async maxPendingPosition(): Promise<string | undefined> {
    const [row] = await this.db.read((sql) =>
      sql.query('SELECT CAST(MAX(position) AS TEXT) AS p FROM outbox WHERE sent_at IS NULL'),
    );
    return row?.['p'] == null ? undefined : text(row, 'p');
  }

  async hasPendingUpTo(position: string): Promise<boolean> {
    const rows = await this.db.read((sql) =>
      sql.query('SELECT 1 AS one FROM outbox WHERE sent_at IS NULL AND position <= ? LIMIT 1', [
        position,
      ]),
    );
    return rows.length > 0;
  }
}

function sessionOf(run: Runner, dialect: Dialect): OutboxSession {
  return {
    async next(limit): Promise<OutboxEntry[]> {
      const rows = await run((sql) =>
        sql.query(
          `SELECT CAST(o.position AS TEXT) AS row_key, o.topic, o.key, o.attempts, ${eventColumns('e', dialect)}
           FROM outbox o JOIN events e ON e.position = o.position
           WHERE o.sent_at IS NULL ORDER BY o.position LIMIT ?`,
          [limit],
        ),
      );
      return rows.map((row) => {
        return {
          position: text(row, 'row_key'),
          topic: text(row, 'topic'),
          key: text(row, 'key'),
          attempts: int(row, 'attempts'),
          event: toStoredEvent(row, dialect),
        };
      });
    },
    async markSent(positions, at) {
      if (positions.length === 0) return;
      await run((sql) =>
        sql.exec(`UPDATE outbox SET sent_at = ? WHERE position IN (${list(positions.length)})`, [
          at.toISOString(),
          ...positions,
        ]),
      );
    },
    async recordFailure(positions, error) {
      if (positions.length === 0) return;
      await run((sql) =>
        sql.exec(
          `UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE position IN (${list(positions.length)})`,
          [error.slice(0, MAX_ERROR_LENGTH), ...positions],
        ),
      );
    },
    purgeSent(before) {
      return run((sql) =>
        sql.exec(
          `DELETE FROM outbox WHERE position IN (
             SELECT position FROM outbox WHERE sent_at IS NOT NULL AND sent_at < ? ORDER BY position LIMIT ?)`,
          [before.toISOString(), PURGE_CHUNK],
        ),
      );
    },
  };
}

function list(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}
