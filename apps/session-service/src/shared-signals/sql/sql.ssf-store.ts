import type { Row, Sql, SqlRunner } from '@idp/eventstore';
import { claimLeased, nextDueAt } from '../../delivery-queue/sql/lease-claim';
import { recordTransitions, releaseLeases } from '../../delivery-queue/sql/lease-holder';
import { pruneDelivered } from '../../delivery-queue/sql/prune-delivered';
import type { QueueTable } from '../../delivery-queue/sql/queue-table';
import type { NewSetDelivery, SetClaims, SetDelivery, SetDeliveryKey } from '../set-delivery';
import type {
  RecordedSetTransition,
  SetDeadLetterPage,
  SetRetryResult,
  SsfStore,
  StreamRow,
} from '../ssf-store.port';

const DELIVERY_COLUMNS =
  'stream_id, jti, client_id, event_type, source_key, method, claims, status, attempts, next_attempt_at, last_error, created_at, updated_at';
/** What a fan-out gives of a new row; the rest is the same for every row of one INSERT. */
const NEW_COLUMNS = 'stream_id, jti, client_id, event_type, source_key, method, claims';
const NEW_FROM_V = NEW_COLUMNS.split(', ')
  .map((c) => `v.${c}`)
  .join(', ');
const STREAM_COLUMNS =
  'stream_id, client_id, status, method, endpoint_url, sealed_authorization, events_delivered, excluded, version, subject_format';
/** What the shared queue SQL needs of the table: only push rows of enabled streams are sent. */
const QUEUE: QueueTable = {
  table: 'ssf_deliveries',
  key: ['stream_id', 'jti'],
  columns: DELIVERY_COLUMNS.split(', '),
  claimable: `d.method = 'push'
    AND EXISTS (SELECT 1 FROM ssf_streams s WHERE s.stream_id = d.stream_id AND s.status = 'enabled')`,
};
/** 10 parameters a row: a 1,000-stream fan-out is one INSERT (SQLite allows 32,766, PostgreSQL 65,535). */
const INSERT_CHUNK = 1000;

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

function optional(row: Row, column: string): string | undefined {
  const value = row[column];
  return typeof value === 'string' ? value : undefined;
}

function toDelivery(row: Row): SetDelivery {
  return {
    streamId: str(row, 'stream_id'),
    jti: str(row, 'jti'),
    clientId: str(row, 'client_id'),
    eventType: str(row, 'event_type'),
    sourceKey: str(row, 'source_key'),
    method: str(row, 'method') as SetDelivery['method'],
    claims: JSON.parse(str(row, 'claims')) as SetClaims,
    status: str(row, 'status') as SetDelivery['status'],
    attempts: int(row, 'attempts'),
    nextAttemptAt: int(row, 'next_attempt_at'),
    lastError: optional(row, 'last_error') ?? null,
    createdAt: int(row, 'created_at'),
    updatedAt: int(row, 'updated_at'),
  };
}

function toStream(row: Row): StreamRow {
  const endpointUrl = optional(row, 'endpoint_url');
  const sealedAuthorization = optional(row, 'sealed_authorization');
  const subjectFormat = optional(row, 'subject_format') as StreamRow['subjectFormat'];
  return {
    streamId: str(row, 'stream_id'),
    clientId: str(row, 'client_id'),
    status: str(row, 'status') as StreamRow['status'],
    method: str(row, 'method') as StreamRow['method'],
    ...(endpointUrl === undefined ? {} : { endpointUrl }),
    ...(sealedAuthorization === undefined ? {} : { sealedAuthorization }),
    eventsDelivered: JSON.parse(str(row, 'events_delivered')) as string[],
    ...(subjectFormat === undefined ? {} : { subjectFormat }),
    excluded: JSON.parse(str(row, 'excluded')) as string[],
    version: int(row, 'version'),
  };
}

const list = (n: number, tuple: string) => Array.from({ length: n }, () => tuple).join(', ');

/** The transmitter's tables in PostgreSQL or SQLite; claiming, the next due time and pruning are the shared queue SQL's. */
export class SqlSsfStore implements SsfStore {
  constructor(private readonly db: SqlRunner) {}

  async upsertStream(row: StreamRow): Promise<void> {
    await this.db.run((sql) =>
      sql.exec(
        `INSERT INTO ssf_streams (${STREAM_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (stream_id) DO UPDATE SET
           client_id = excluded.client_id, status = excluded.status, method = excluded.method,
           endpoint_url = excluded.endpoint_url, sealed_authorization = excluded.sealed_authorization,
           events_delivered = excluded.events_delivered, excluded = excluded.excluded,
           version = excluded.version, subject_format = excluded.subject_format
         WHERE ssf_streams.version < excluded.version`,
        [
          row.streamId,
          row.clientId,
          row.status,
          row.method,
          row.endpointUrl ?? null,
          row.sealedAuthorization ?? null,
          JSON.stringify(row.eventsDelivered),
          JSON.stringify(row.excluded),
          row.version,
          row.subjectFormat ?? null,
        ],
      ),
    );
  }

  async getStream(streamId: string): Promise<StreamRow | undefined> {
    const [row] = await this.db.read((sql) =>
      sql.query(`SELECT ${STREAM_COLUMNS} FROM ssf_streams WHERE stream_id = ?`, [streamId]),
    );
    return row ? toStream(row) : undefined;
  }

  async receivingStreams(): Promise<StreamRow[]> {
    const rows = await this.db.read((sql) =>
      sql.query(`SELECT ${STREAM_COLUMNS} FROM ssf_streams WHERE status IN ('enabled', 'paused')`),
    );
    return rows.map(toStream);
  }

  async streamsOf(clientId: string): Promise<StreamRow[]> {
    const rows = await this.db.read((sql) =>
      sql.query(
        `SELECT ${STREAM_COLUMNS} FROM ssf_streams WHERE client_id = ? AND status <> 'deleted'
         ORDER BY stream_id`,
        [clientId],
      ),
    );
    return rows.map(toStream);
  }

  async streamsById(streamIds: readonly string[]): Promise<StreamRow[]> {
    if (streamIds.length === 0) return [];
    const rows = await this.db.read((sql) =>
      sql.query(
        `SELECT ${STREAM_COLUMNS} FROM ssf_streams WHERE stream_id IN (${list(streamIds.length, '?')})`,
        [...streamIds],
      ),
    );
    return rows.map(toStream);
  }

  async schedule(deliveries: readonly NewSetDelivery[], now: number): Promise<SetDelivery[]> {
    const inserted: SetDelivery[] = [];
    if (deliveries.length === 0) return inserted;
    // A literal, not a parameter: PostgreSQL would type a parameter in a SELECT list as text.
    if (!Number.isSafeInteger(now)) throw new TypeError('schedule: now must be an integer');
    await this.db.transaction(async (sql) => {
      for (let i = 0; i < deliveries.length; i += INSERT_CHUNK) {
        const chunk = deliveries.slice(i, i + INSERT_CHUNK);
        // Only into streams still receiving when the row is written: a fan-out that read the
        // working copy before the stream was disabled or deleted queues nothing for it.
        const rows = await sql.query(
          `WITH v (${NEW_COLUMNS}) AS (VALUES ${list(chunk.length, '(?, ?, ?, ?, ?, ?, ?)')})
           INSERT INTO ssf_deliveries
             (${NEW_COLUMNS}, status, attempts, next_attempt_at, created_at, updated_at)
           SELECT ${NEW_FROM_V}, 'pending', 0, ${now}, ${now}, ${now} FROM v
           WHERE EXISTS (SELECT 1 FROM ssf_streams s
                         WHERE s.stream_id = v.stream_id AND s.status IN ('enabled', 'paused'))
           ON CONFLICT (stream_id, source_key) DO NOTHING
           RETURNING ${DELIVERY_COLUMNS}`,
          chunk.flatMap((d) => [
            ...[d.streamId, d.jti, d.clientId, d.eventType, d.sourceKey, d.method],
            JSON.stringify(d.claims),
          ]),
        );
        inserted.push(...rows.map(toDelivery));
      }
    });
    return inserted;
  }

  async startVerification(
    streamId: string,
    now: number,
    intervalMs: number,
  ): Promise<{ ok: true } | { ok: false; retryAfterMs: number }> {
    return this.db.transaction(async (sql) => {
      // One conditional UPDATE: on PostgreSQL a second replica's waits for the first's row lock,
      // then re-reads the row and no longer matches; SQLite runs them one after the other.
      const claimed = await sql.exec(
        `UPDATE ssf_streams SET last_verification_at = ?
         WHERE stream_id = ? AND (last_verification_at IS NULL OR last_verification_at <= ?)`,
        [now, streamId, now - intervalMs],
      );
      if (claimed > 0) return { ok: true };
      const [row] = await sql.query(
        `SELECT last_verification_at FROM ssf_streams WHERE stream_id = ?`,
        [streamId],
      );
      // No row: the stream is unknown here; the caller checked it exists, so let it through.
      if (row?.['last_verification_at'] == null) return { ok: true };
      return {
        ok: false,
        retryAfterMs: Math.max(1, int(row, 'last_verification_at') + intervalMs - now),
      };
    });
  }

  async cancelVerification(streamId: string, startedAt: number): Promise<void> {
    await this.db.run((sql) =>
      sql.exec(
        `UPDATE ssf_streams SET last_verification_at = NULL
         WHERE stream_id = ? AND last_verification_at = ?`,
        [streamId, startedAt],
      ),
    );
  }

  async pollStreamsReady(streamIds: readonly string[]): Promise<string[]> {
    if (streamIds.length === 0) return [];
    const rows = await this.db.read((sql) =>
      sql.query(
        `SELECT s.stream_id FROM ssf_streams s
         WHERE s.stream_id IN (${list(streamIds.length, '?')}) AND s.status = 'enabled'
           AND EXISTS (SELECT 1 FROM ssf_deliveries d WHERE d.stream_id = s.stream_id
                       AND d.status = 'pending' AND d.method = 'poll')`,
        [...streamIds],
      ),
    );
    return rows.map((r) => str(r, 'stream_id'));
  }

  async claimDue(limit: number, now: number, leaseMs: number, owner: string) {
    const rows = await claimLeased(this.db, QUEUE, limit, now, leaseMs, owner);
    return rows.map(toDelivery).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt);
  }

  record(outcomes: readonly RecordedSetTransition[], now: number, owner: string): Promise<number> {
    const keyed = outcomes.map(({ streamId, jti, transition }) => ({
      key: [streamId, jti],
      transition,
    }));
    return recordTransitions(this.db, QUEUE, keyed, now, owner);
  }

  release(keys: readonly SetDeliveryKey[], dueAt: number, owner: string): Promise<void> {
    const values = keys.map(({ streamId, jti }) => [streamId, jti]);
    return releaseLeases(this.db, QUEUE, values, dueAt, owner);
  }

  nextDueAt(): Promise<number | undefined> {
    return nextDueAt(this.db, QUEUE);
  }

  async get(key: SetDeliveryKey): Promise<SetDelivery | undefined> {
    const [row] = await this.db.read((sql) => selectOne(sql, key));
    return row ? toDelivery(row) : undefined;
  }

  async pendingPolled(streamId: string, limit: number): Promise<SetDelivery[]> {
    if (limit <= 0) return [];
    const rows = await this.db.read((sql) =>
      sql.query(
        `SELECT ${DELIVERY_COLUMNS} FROM ssf_deliveries
         WHERE stream_id = ? AND status = 'pending' AND method = 'poll'
         ORDER BY created_at, jti LIMIT ?`,
        [streamId, limit],
      ),
    );
    return rows.map(toDelivery);
  }

  async acknowledge(streamId: string, jtis: readonly string[], now: number): Promise<number> {
    if (jtis.length === 0) return 0;
    return this.db.run((sql) =>
      sql.exec(
        `UPDATE ssf_deliveries SET status = 'delivered', attempts = attempts + 1, updated_at = ?
         WHERE stream_id = ? AND status = 'pending' AND method = 'poll' AND jti IN (${list(jtis.length, '?')})`,
        [now, streamId, ...jtis],
      ),
    );
  }

  async refuse(
    streamId: string,
    errors: readonly { jti: string; error: string }[],
    now: number,
  ): Promise<number> {
    if (errors.length === 0) return 0;
    return this.db.transaction(async (sql) => {
      let applied = 0;
      for (const { jti, error } of errors)
        applied += await sql.exec(
          `UPDATE ssf_deliveries SET status = 'dead_lettered', attempts = attempts + 1,
             last_error = ?, updated_at = ?
           WHERE stream_id = ? AND jti = ? AND status = 'pending' AND method = 'poll'`,
          [error, now, streamId, jti],
        );
      return applied;
    });
  }

  dropPending(streamId: string): Promise<number> {
    return this.db.run((sql) =>
      sql.exec(`DELETE FROM ssf_deliveries WHERE stream_id = ? AND status = 'pending'`, [streamId]),
    );
  }

  dropAll(streamId: string): Promise<number> {
    return this.db.run((sql) =>
      sql.exec(`DELETE FROM ssf_deliveries WHERE stream_id = ?`, [streamId]),
    );
  }

  async deadLetters(page: SetDeadLetterPage): Promise<SetDelivery[]> {
    const c = this.db.driver === 'postgres' ? ' COLLATE "C"' : '';
    const after = page.after ? `AND (stream_id${c} > ? OR (stream_id = ? AND jti${c} > ?))` : '';
    const rows = await this.db.read((sql) =>
      sql.query(
        `SELECT ${DELIVERY_COLUMNS} FROM ssf_deliveries
         WHERE status = 'dead_lettered' ${after}
         ORDER BY stream_id${c}, jti${c} LIMIT ?`,
        [
          ...(page.after ? [page.after.streamId, page.after.streamId, page.after.jti] : []),
          page.limit,
        ],
      ),
    );
    return rows.map(toDelivery);
  }

  async retry(key: SetDeliveryKey, now: number): Promise<SetRetryResult> {
    return this.db.transaction(async (sql) => {
      const rows = await sql.query(
        `UPDATE ssf_deliveries
         SET status = 'pending', attempts = 0, next_attempt_at = ?, last_error = NULL,
             lease_owner = NULL, lease_until = NULL, created_at = ?, updated_at = ?
         WHERE stream_id = ? AND jti = ? AND status = 'dead_lettered'
         RETURNING ${DELIVERY_COLUMNS}`,
        [now, now, now, key.streamId, key.jti],
      );
      if (rows[0]) return { kind: 'requeued', delivery: toDelivery(rows[0]) };
      const [existing] = await selectOne(sql, key);
      return existing
        ? { kind: 'not_dead_lettered', delivery: toDelivery(existing) }
        : { kind: 'not_found' };
    });
  }

  async counts(): Promise<{ pending: number; deadLettered: number }> {
    const [row] = await this.db.read((sql) =>
      sql.query(
        `SELECT (SELECT COUNT(*) FROM ssf_deliveries WHERE status = 'pending') AS pending,
                (SELECT COUNT(*) FROM ssf_deliveries WHERE status = 'dead_lettered') AS dead`,
      ),
    );
    if (row === undefined) return { pending: 0, deadLettered: 0 };
    return { pending: int(row, 'pending'), deadLettered: int(row, 'dead') };
  }

  expirePolled(before: number, now: number): Promise<number> {
    return this.db.run((sql) =>
      sql.exec(
        `UPDATE ssf_deliveries
         SET status = 'dead_lettered', last_error = 'not acknowledged within SSF_POLL_RETENTION_SECONDS',
             updated_at = ?
         WHERE status = 'pending' AND method = 'poll' AND created_at < ?`,
        [now, before],
      ),
    );
  }

  pruneDelivered(before: number, limit: number): Promise<number> {
    return pruneDelivered(this.db, QUEUE, before, limit);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

function selectOne(sql: Sql, key: SetDeliveryKey): Promise<Row[]> {
  return sql.query(
    `SELECT ${DELIVERY_COLUMNS} FROM ssf_deliveries WHERE stream_id = ? AND jti = ?`,
    [key.streamId, key.jti],
  );
}
