import {
  parseEvent,
  partitionKey,
  topicForStream,
  type EventEnvelope,
  type PendingEvent,
} from '@idp/contracts';
import {
  ConcurrencyError,
  DuplicateEventError,
  isIndexedDataField,
  STREAMS_WHERE_MAX,
  type AppendResult,
  type EventStore,
  type ExpectedVersion,
  type StoredEvent,
  type StreamsWhere,
} from './event-store.port';
import type { Outbox } from './outbox.port';
import { eventColumns, INSERT_EVENT_COLUMNS, int, text, toStoredEvent } from './sql/event-rows';
import type { Sql, SqlDb } from './sql/sql-db';
import { SqlOutbox } from './sql/sql.outbox';

/** 'any' appends lose a race only to another append; retrying a few times always converges. */
const ANY_ATTEMPTS = 5;
const POSITION = /^(0|[1-9][0-9]{0,18})$/;

/**
 * The event store over TypeORM, for PostgreSQL and SQLite alike (the driver
 * differences live in the Dialect). Build it with `createEventStore`.
 */
export class TypeOrmEventStore implements EventStore {
  /** The outbox these appends fill; give it to an `OutboxRelay`. */
  readonly outbox: Outbox;

  constructor(private readonly db: SqlDb) {
    this.outbox = new SqlOutbox(db);
  }

  async append(
    stream: string,
    expected: ExpectedVersion,
    events: readonly PendingEvent[],
  ): Promise<AppendResult> {
    if (expected !== 'any' && !(Number.isSafeInteger(expected) && expected >= 0)) {
      throw new RangeError(`expected version must be 'any' or an integer >= 0, got ${expected}`);
    }
    // Everything that can reject the batch runs before the transaction opens.
    const topic = topicForStream(stream);
    const base = expected === 'any' ? 0 : expected;
    const envelopes = events.map((e, i) =>
      parseEvent({ ...e, stream, streamVersion: base + i + 1 }),
    );
    if (envelopes.length === 0)
      return {
        nextVersion: await this.db.run((sql) => currentVersion(sql, stream)),
        positions: [],
      };

    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction((sql) =>
          this.write(sql, stream, expected, envelopes, topic),
        );
      } catch (err) {
        const violation = this.db.dialect.uniqueViolation(err);
        if (violation === 'stream_version') {
          if (expected === 'any' && attempt < ANY_ATTEMPTS) continue;
          const actual = await this.db.run((sql) => currentVersion(sql, stream));
          throw new ConcurrencyError(stream, expected, actual);
        }
        if (violation === 'id')
          throw new DuplicateEventError(
            stream,
            envelopes.map((e) => e.id),
          );
        throw err;
      }
    }
  }

  async readStream(stream: string, fromVersion = 1): Promise<StoredEvent[]> {
    if (!Number.isSafeInteger(fromVersion) || fromVersion < 1) {
      throw new RangeError(`fromVersion must be an integer >= 1, got ${fromVersion}`);
    }
    const rows = await this.db.run((sql) =>
      sql.query(
        `SELECT ${eventColumns('e')} FROM events e WHERE e.stream = ? AND e.stream_version >= ? ORDER BY e.stream_version`,
        [stream, fromVersion],
      ),
    );
    return rows.map((row) => toStoredEvent(row, this.db.dialect));
  }

  async readAll(fromPosition: string, limit: number): Promise<StoredEvent[]> {
    if (!POSITION.test(fromPosition))
      throw new RangeError(`fromPosition must be a decimal position, got ${fromPosition}`);
    if (!Number.isSafeInteger(limit) || limit < 1)
      throw new RangeError(`limit must be an integer >= 1, got ${limit}`);
    const rows = await this.db.run((sql) =>
      sql.query(
        `SELECT ${eventColumns('e')} FROM events e WHERE e.position > ? ORDER BY e.position LIMIT ?`,
        [fromPosition, limit],
      ),
    );
    return rows.map((row) => toStoredEvent(row, this.db.dialect));
  }

  /**
   * One indexed lookup: `data[field] = value` narrows to the matching events
   * through the field's expression index (ordered by stream within a value),
   * then the prefix and the page bound filter the few that remain. The field
   * name is checked against the whitelist and only ever selects a fixed SQL
   * expression; every value travels as a parameter.
   */
  async streamsWhere(query: StreamsWhere): Promise<string[]> {
    const { streamPrefix, field, value, after = '', limit = STREAMS_WHERE_MAX } = query;
    if (!isIndexedDataField(field)) throw new RangeError(`field ${String(field)} is not indexed`);
    if (typeof streamPrefix !== 'string' || streamPrefix.length === 0)
      throw new RangeError('streamPrefix must be a non-empty string');
    if (typeof value !== 'string' || typeof after !== 'string')
      throw new RangeError('value and after must be strings');
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > STREAMS_WHERE_MAX)
      throw new RangeError(`limit must be an integer from 1 to ${STREAMS_WHERE_MAX}, got ${limit}`);
    const { dataField, streamOrder } = this.db.dialect;
    const rows = await this.db.run((sql) =>
      sql.query(
        `SELECT DISTINCT ${streamOrder} AS stream FROM events
         WHERE ${dataField(field)} = ? AND substr(stream, 1, ?) = ? AND ${streamOrder} > ?
         ORDER BY ${streamOrder} LIMIT ?`,
        [value, [...streamPrefix].length, streamPrefix, after, limit],
      ),
    );
    return rows.map((row) => text(row, 'stream'));
  }

  async ready(): Promise<boolean> {
    try {
      await this.db.run((sql) => sql.query('SELECT 1 AS ok'));
      return true;
    } catch {
      return false;
    }
  }

  close(): Promise<void> {
    return this.db.close();
  }

  private async write(
    sql: Sql,
    stream: string,
    expected: ExpectedVersion,
    envelopes: readonly EventEnvelope[],
    topic: string,
  ): Promise<AppendResult> {
    const current = await currentVersion(sql, stream);
    if (expected !== 'any' && current !== expected)
      throw new ConcurrencyError(stream, expected, current);
    // Checked before the lock so a stale caller fails without queueing; a race
    // that slips between check and insert hits the unique (stream, version).
    const { appendLockSql, lockParams } = this.db.dialect;
    if (appendLockSql) await sql.query(appendLockSql, [lockParams.append]);

    const inserted = await sql.query(
      `INSERT INTO events (${INSERT_EVENT_COLUMNS}) VALUES ${marks(envelopes.length, 9)}
       RETURNING CAST(position AS TEXT) AS position, stream_version`,
      envelopes.flatMap((e, i) => [
        e.id,
        stream,
        current + i + 1,
        e.type,
        e.version,
        e.occurredAt,
        e.correlationId,
        e.causationId ?? null,
        JSON.stringify(e.data),
      ]),
    );
    // RETURNING order is unspecified for multi-row inserts.
    const positions = [...inserted]
      .sort((a, b) => int(a, 'stream_version') - int(b, 'stream_version'))
      .map((row) => text(row, 'position'));
    const createdAt = new Date().toISOString();
    await sql.exec(
      `INSERT INTO outbox (position, topic, key, created_at) VALUES ${marks(positions.length, 4)}`,
      positions.flatMap((position) => [position, topic, partitionKey(stream), createdAt]),
    );
    return { nextVersion: current + envelopes.length, positions };
  }
}

async function currentVersion(sql: Sql, stream: string): Promise<number> {
  const [row] = await sql.query(
    'SELECT COALESCE(MAX(stream_version), 0) AS v FROM events WHERE stream = ?',
    [stream],
  );
  return row ? int(row, 'v') : 0;
}

/** `(?, ?), (?, ?)` for `rows` rows of `columns` values. */
function marks(rows: number, columns: number): string {
  const row = `(${Array.from({ length: columns }, () => '?').join(', ')})`;
  return Array.from({ length: rows }, () => row).join(', ');
}
