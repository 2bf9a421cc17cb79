import type { Delivery, DeliveryKey, NewDelivery } from '../delivery';
import type {
  DeadLetterPage,
  DeliveryStore,
  RecordedTransition,
  RetryResult,
} from '../delivery-store.port';
import type { Row, Sql, SqlRunner } from '@idp/eventstore';
import { claimLeased, nextDueAt } from '../../delivery-queue/sql/lease-claim';
import { recordTransitions, releaseLeases } from '../../delivery-queue/sql/lease-holder';
import { pruneDelivered } from '../../delivery-queue/sql/prune-delivered';
import type { QueueTable } from '../../delivery-queue/sql/queue-table';

const COLUMNS =
  'sid, client_id, sub, jti, uri, alg, status, attempts, next_attempt_at, last_error, created_at, updated_at, request_id, traceparent';
/** What the shared queue SQL needs of the table: every pending row is claimable once due. */
const QUEUE: QueueTable = {
  table: 'backchannel_deliveries',
  key: ['sid', 'client_id'],
  columns: COLUMNS.split(', '),
};
/** 11 parameters a row: far below SQLite's and PostgreSQL's parameter limits. */
const INSERT_CHUNK = 200;

function int(row: Row, column: string): number {
  // pg returns bigint as a string; epoch milliseconds fit a JS number exactly.
  const value = Number(row[column]);
  if (!Number.isSafeInteger(value)) throw new TypeError(`column ${column}: expected an integer`);
  return value;
}

function str(row: Row, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw new TypeError(`column ${column}: expected text`);
  return value;
}

function toDelivery(row: Row): Delivery {
  const lastError = row['last_error'];
  const requestId = row['request_id'];
  const traceparent = row['traceparent'];
  return {
    sid: str(row, 'sid'),
    clientId: str(row, 'client_id'),
    sub: str(row, 'sub'),
    jti: str(row, 'jti'),
    uri: str(row, 'uri'),
    alg: str(row, 'alg'),
    status: str(row, 'status') as Delivery['status'],
    attempts: int(row, 'attempts'),
    nextAttemptAt: int(row, 'next_attempt_at'),
    lastError: typeof lastError === 'string' ? lastError : null,
    createdAt: int(row, 'created_at'),
    updatedAt: int(row, 'updated_at'),
    ...(typeof requestId === 'string' ? { requestId } : {}),
    ...(typeof traceparent === 'string' ? { traceparent } : {}),
  };
}

const list = (n: number, tuple: string) => Array.from({ length: n }, () => tuple).join(', ');

/** The delivery queue in PostgreSQL or SQLite; claiming, the next due time and pruning are the shared queue SQL's. */
export class SqlDeliveryStore implements DeliveryStore {
  constructor(private readonly db: SqlRunner) {}

  async schedule(deliveries: readonly NewDelivery[], now: number): Promise<Delivery[]> {
    const inserted: Delivery[] = [];
    await this.db.transaction(async (sql) => {
      for (let i = 0; i < deliveries.length; i += INSERT_CHUNK) {
        const chunk = deliveries.slice(i, i + INSERT_CHUNK);
        const rows = await sql.query(
          `INSERT INTO backchannel_deliveries
             (sid, client_id, sub, jti, uri, alg, status, attempts, next_attempt_at, created_at, updated_at,
              request_id, traceparent)
           VALUES ${list(chunk.length, "(?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?, ?)")}
           ON CONFLICT (sid, client_id) DO NOTHING
           RETURNING ${COLUMNS}`,
          chunk.flatMap((d) => [
            ...[d.sid, d.clientId, d.sub, d.jti, d.uri, d.alg, now, now, now],
            ...[d.requestId ?? null, d.traceparent ?? null],
          ]),
        );
        inserted.push(...rows.map(toDelivery));
      }
    });
    return inserted;
  }

  async claimDue(limit: number, now: number, leaseMs: number, owner: string): Promise<Delivery[]> {
    const rows = await claimLeased(this.db, QUEUE, limit, now, leaseMs, owner);
    return rows.map(toDelivery).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt);
  }

  record(outcomes: readonly RecordedTransition[], now: number, owner: string): Promise<number> {
    const keyed = outcomes.map(({ sid, clientId, transition }) => ({
      key: [sid, clientId],
      transition,
    }));
    return recordTransitions(this.db, QUEUE, keyed, now, owner);
  }

  release(keys: readonly DeliveryKey[], dueAt: number, owner: string): Promise<void> {
    const values = keys.map(({ sid, clientId }) => [sid, clientId]);
    return releaseLeases(this.db, QUEUE, values, dueAt, owner);
  }

  async counts(): Promise<{ pending: number; deadLettered: number }> {
    // Each through its partial index (pending, dead_lettered): delivered rows are never read.
    const [row] = await this.db.read((sql) =>
      sql.query(
        `SELECT (SELECT COUNT(*) FROM backchannel_deliveries WHERE status = 'pending') AS pending,
                (SELECT COUNT(*) FROM backchannel_deliveries WHERE status = 'dead_lettered') AS dead`,
      ),
    );
    if (row === undefined) return { pending: 0, deadLettered: 0 };
    return { pending: int(row, 'pending'), deadLettered: int(row, 'dead') };
  }

  nextDueAt(): Promise<number | undefined> {
    return nextDueAt(this.db, QUEUE);
  }

  async get(key: DeliveryKey): Promise<Delivery | undefined> {
    const [row] = await this.db.read((sql) => selectOne(sql, key));
    return row ? toDelivery(row) : undefined;
  }

  async deadLetters(page: DeadLetterPage): Promise<Delivery[]> {
    const c = this.db.driver === 'postgres' ? ' COLLATE "C"' : '';
    const after = page.after ? `AND (sid${c} > ? OR (sid = ? AND client_id${c} > ?))` : '';
    const rows = await this.db.read((sql) =>
      sql.query(
        `SELECT ${COLUMNS} FROM backchannel_deliveries
         WHERE status = 'dead_lettered' ${after}
         ORDER BY sid${c}, client_id${c} LIMIT ?`,
        [...(page.after ? [page.after.sid, page.after.sid, page.after.clientId] : []), page.limit],
      ),
    );
    return rows.map(toDelivery);
  }

  async retry(key: DeliveryKey, now: number): Promise<RetryResult> {
    return this.db.transaction(async (sql) => {
      const rows = await sql.query(
        `UPDATE backchannel_deliveries
         SET status = 'pending', attempts = 0, next_attempt_at = ?, last_error = NULL,
             lease_owner = NULL, lease_until = NULL, updated_at = ?
         WHERE sid = ? AND client_id = ? AND status = 'dead_lettered'
         RETURNING ${COLUMNS}`,
        [now, now, key.sid, key.clientId],
      );
      if (rows[0]) return { kind: 'requeued', delivery: toDelivery(rows[0]) };
      const [existing] = await selectOne(sql, key);
      return existing
        ? { kind: 'not_dead_lettered', delivery: toDelivery(existing) }
        : { kind: 'not_found' };
    });
  }

  pruneDelivered(before: number, limit: number): Promise<number> {
    return pruneDelivered(this.db, QUEUE, before, limit);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

function selectOne(sql: Sql, key: DeliveryKey): Promise<Row[]> {
  return sql.query(
    `SELECT ${COLUMNS} FROM backchannel_deliveries WHERE sid = ? AND client_id = ?`,
    [key.sid, key.clientId],
  );
}
