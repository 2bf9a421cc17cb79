import { setTimeout as sleep } from 'node:timers/promises';
import { parseEvent, topicForStream, type PendingEvent } from '@idp/contracts';
import { BatchWriter, type AppendItem } from './batch-writer';
import {
  isIndexedDataField,
  STREAMS_WHERE_MAX,
  type AppendResult,
  type EventStore,
  type ExpectedVersion,
  type StoredEvent,
  type StreamsWhere,
} from './event-store.port';
import { GroupCommit } from './group-commit';
import type { Outbox } from './outbox.port';
import { eventColumns, int, text, toStoredEvent } from './sql/event-rows';
import type { SqlDb } from './sql/sql-db';
import { SqlOutbox } from './sql/sql.outbox';
import { currentVersion } from './sql/stream-versions';
import { appendSpan } from './store-spans';

/** Events per group-commit transaction: 11 parameters each stays far below the drivers' limits. */
const MAX_BATCH_EVENTS = 1_000;
/**
 * How long readAll waits for events that committed before it was called but
 * are still behind the horizon (an older transaction is still open; ADR 0024),
 * and how often it looks again meanwhile.
 */
const HOLD_BACK_MAX_MS = 1_000;
const HOLD_BACK_POLL_MS = 2;

/** A public position: up to 20 digits of transaction id, then 15 of insertion number. */
const POSITION = /^(0|[1-9][0-9]{0,34})$/;

/**
 * The event store over TypeORM, for PostgreSQL and SQLite alike (the driver
 * differences live in the Dialect). Build it with `createEventStore`.
 */
export class TypeOrmEventStore implements EventStore {
  /** The outbox these appends fill; give it to an `OutboxRelay`. */
  readonly outbox: Outbox;

  /** Concurrent appends share one transaction (GroupCommit), written by the BatchWriter. */
  private readonly batches: GroupCommit<AppendItem, AppendResult>;

  constructor(private readonly db: SqlDb) {
    this.outbox = new SqlOutbox(db);
    const writer = new BatchWriter(db);
    this.batches = new GroupCommit((items) => writer.commit(items), MAX_BATCH_EVENTS);
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
        nextVersion: await this.db.read((sql) => currentVersion(sql, stream)),
        positions: [],
      };

    return appendSpan(this.db.dialect.driver, stream, envelopes, () =>
      this.batches.submit({ stream, expected, envelopes, topic }, envelopes.length),
    );
  }

  async readStream(stream: string, fromVersion = 1): Promise<StoredEvent[]> {
    if (!Number.isSafeInteger(fromVersion) || fromVersion < 1) {
      throw new RangeError(`fromVersion must be an integer >= 1, got ${fromVersion}`);
    }
    const rows = await this.db.read((sql) =>
      sql.query(
        `SELECT ${eventColumns('e', this.db.dialect)} FROM events e WHERE e.stream = ? AND e.stream_version >= ? ORDER BY e.stream_version`,
        [stream, fromVersion],
      ),
    );
    return rows.map((row) => toStoredEvent(row, this.db.dialect));
  }

  /**
   * One page in the global order (see GlobalOrder). A short page may be short
   * only because an older transaction somewhere is still open and holds the
   * horizon back; then, if an event committed before this call lies beyond
   * what the page reached, the page is read again until it does (or is full),
   * for at most HOLD_BACK_MAX_MS: an append followed by readAll sees itself.
   */
  async readAll(fromPosition: string, limit: number): Promise<StoredEvent[]> {
    if (!POSITION.test(fromPosition))
      throw new RangeError(`fromPosition must be a decimal position, got ${fromPosition}`);
    if (!Number.isSafeInteger(limit) || limit < 1)
      throw new RangeError(`limit must be an integer >= 1, got ${limit}`);
    const { order } = this.db.dialect;
    const { clause, params } = order.pageAfter(fromPosition, limit);
    const page = () =>
      this.db.read(async (sql) =>
        (
          await sql.query(`SELECT ${eventColumns('e', this.db.dialect)} FROM events e ${clause}`, [
            ...params,
          ])
        ).map((row) => toStoredEvent(row, this.db.dialect)),
      );
    let events = await page();
    if (events.length === limit || order.newestCommittedSql === undefined) return events;
    const target = await this.newest(order.newestCommittedSql);
    const reached = () => BigInt(events.at(-1)?.position ?? fromPosition) >= target;
    for (const deadline = Date.now() + HOLD_BACK_MAX_MS; !reached() && Date.now() < deadline;) {
      await sleep(HOLD_BACK_POLL_MS);
      events = await page();
      if (events.length === limit) break;
    }
    return events;
  }

  async lastPosition(): Promise<string> {
    return (await this.newest(this.db.dialect.order.newestReadableSql)).toString();
  }

  async countEvents(): Promise<number> {
    const [row] = await this.db.read((sql) => sql.query('SELECT COUNT(*) AS n FROM events'));
    return row ? int(row, 'n') : 0;
  }

  /** The public position the query (one of GlobalOrder's `newest…Sql`) returns, 0 for none. */
  private async newest(query: string): Promise<bigint> {
    const [row] = await this.db.read((sql) => sql.query(query));
    return row
      ? BigInt(this.db.dialect.order.position(text(row, 'tx'), text(row, 'position')))
      : 0n;
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
    const rows = await this.db.read((sql) =>
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
}
