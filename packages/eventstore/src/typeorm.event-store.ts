import { setTimeout as sleep } from 'node:timers/promises';
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
import { isConnectionFault } from '@idp/oauth-errors';
import { GroupCommit, type Outcome } from './group-commit';
import { letThePoolNoticeDeadConnections } from './sql/connection-guard';
import type { Outbox } from './outbox.port';
import { eventColumns, INSERT_EVENT_COLUMNS, int, text, toStoredEvent } from './sql/event-rows';
import type { Dialect } from './sql/dialect';
import type { Sql, SqlDb } from './sql/sql-db';
import { SqlOutbox } from './sql/sql.outbox';
import { appendSpan } from './store-spans';

/** 'any' appends lose a race only to another append; retrying a few times always converges. */
const ANY_ATTEMPTS = 5;
/** Events per group-commit transaction: 11 parameters each stays far below the drivers' limits. */
const MAX_BATCH_EVENTS = 1_000;
/**
 * How long readAll waits for events that committed before it was called but
 * are still behind the horizon (an older transaction is still open; ADR 0024),
 * and how often it looks again meanwhile.
 */
const HOLD_BACK_MAX_MS = 1_000;
const HOLD_BACK_POLL_MS = 2;

/** One caller's append, validated, waiting for its group's transaction. */
interface AppendItem {
  readonly stream: string;
  readonly expected: ExpectedVersion;
  readonly envelopes: readonly EventEnvelope[];
  readonly topic: string;
}
/** A public position: up to 20 digits of transaction id, then 15 of insertion number. */
const POSITION = /^(0|[1-9][0-9]{0,34})$/;

/**
 * The event store over TypeORM, for PostgreSQL and SQLite alike (the driver
 * differences live in the Dialect). Build it with `createEventStore`.
 */
export class TypeOrmEventStore implements EventStore {
  /** The outbox these appends fill; give it to an `OutboxRelay`. */
  readonly outbox: Outbox;

  /** Concurrent appends share one transaction: see GroupCommit. */
  private readonly batches = new GroupCommit<AppendItem, AppendResult>(
    (items) => this.commitBatch(items),
    MAX_BATCH_EVENTS,
  );

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

  /**
   * One transaction for a whole group of appends. If one of them trips a
   * unique index (a reused event id, or another process's append to the same
   * stream that got there first), or the database breaks a lock cycle with
   * another process's batch, the transaction is void for all; each then
   * commits alone, so only the offender fails and with its precise error. If
   * the connection died, whether the transaction committed is unknown: see
   * settleAfterLostConnection.
   */
  private async commitBatch(items: readonly AppendItem[]): Promise<Outcome<AppendResult>[]> {
    try {
      return await this.db.transaction((sql) => this.writeBatch(sql, items));
    } catch (err) {
      if (isConnectionFault(err)) return this.settleAfterLostConnection(items);
      if (!this.retriesAlone(err)) throw err;
    }
    return this.oneByOne(items, new Map());
  }

  /** A failure that voids the whole batch but says nothing about most of its appends. */
  private retriesAlone(err: unknown): boolean {
    return this.db.dialect.uniqueViolation(err) !== undefined || this.db.dialect.deadlock(err);
  }

  /**
   * ADR 0014: a batch whose connection died may or may not have committed.
   * On a fresh connection, the appends whose event ids are stored did commit
   * and succeed with what was stored; the others are written now. If the old
   * transaction's backend still lives and has not ended yet, its rows are
   * invisible here, but writing the same event ids and stream versions again
   * waits on the unique indexes until it ends (ADR 0024: there is no append
   * lock to wait on): if it rolled back, this write goes through, once; if it
   * committed, the write fails with a unique violation and the stored ids are
   * read again, now final. Never a blind repeat. If this fails too, the
   * callers get the error (a 503 at the edge) and the outcome stays unknown to them.
   */
  private async settleAfterLostConnection(
    items: readonly AppendItem[],
  ): Promise<Outcome<AppendResult>[]> {
    await letThePoolNoticeDeadConnections();
    try {
      return await this.db.transaction(async (sql) => {
        const stored = await storedAppends(sql, this.db.dialect, items);
        const rest = items
          .map((item, index) => ({ item, index }))
          .filter((r) => !stored.has(r.index));
        const written =
          rest.length > 0
            ? await this.writeBatch(
                sql,
                rest.map((r) => r.item),
              )
            : [];
        const outcomes: Outcome<AppendResult>[] = [];
        for (const [index, value] of stored) outcomes[index] = { ok: true, value };
        rest.forEach((r, i) => (outcomes[r.index] = written[i]!));
        return outcomes;
      });
    } catch (err) {
      if (!this.retriesAlone(err)) throw err;
    }
    const settled = await this.db.read((sql) => storedAppends(sql, this.db.dialect, items));
    return this.oneByOne(items, settled);
  }

  /** Each append in its own transaction; `stored` ones are already known to have committed. */
  private async oneByOne(
    items: readonly AppendItem[],
    stored: ReadonlyMap<number, AppendResult>,
  ): Promise<Outcome<AppendResult>[]> {
    const outcomes: Outcome<AppendResult>[] = [];
    for (const [index, item] of items.entries()) {
      const known = stored.get(index);
      if (known !== undefined) {
        outcomes.push({ ok: true, value: known });
        continue;
      }
      try {
        outcomes.push({ ok: true, value: await this.appendAlone(item) });
      } catch (error) {
        outcomes.push({ ok: false, error });
      }
    }
    return outcomes;
  }

  private async appendAlone(item: AppendItem): Promise<AppendResult> {
    const { stream, expected, envelopes } = item;
    for (let attempt = 1; ; attempt++) {
      try {
        const [outcome] = await this.db.transaction((sql) => this.writeBatch(sql, [item]));
        if (!outcome!.ok) throw outcome!.error;
        return outcome!.value;
      } catch (err) {
        const violation = this.db.dialect.uniqueViolation(err);
        if (violation === 'stream_version') {
          if (expected === 'any' && attempt < ANY_ATTEMPTS) continue;
          const actual = await this.db.read((sql) => currentVersion(sql, stream));
          throw new ConcurrencyError(stream, expected, actual);
        }
        if (violation === 'id')
          throw new DuplicateEventError(
            stream,
            envelopes.map((e) => e.id),
          );
        // Aborted to break a lock cycle: nothing was written, so trying again is safe.
        if (this.db.dialect.deadlock(err) && attempt < ANY_ATTEMPTS) continue;
        throw err;
      }
    }
  }

  private async writeBatch(
    sql: Sql,
    items: readonly AppendItem[],
  ): Promise<Outcome<AppendResult>[]> {
    // ADR 0024: no lock. This read must be the transaction's first statement
    // that could assign it a transaction id (no write, no pg_current_xact_id()
    // before it): the id is then assigned by the INSERT below, after the read.
    // A stream's next version can only be inserted once the transaction that
    // wrote the current one has committed (else the version we read is stale,
    // or the unique index makes us wait for it and then fail), and ids are
    // handed out in increasing order, so within a stream a higher version
    // always has a higher tx: readAll's (tx, position) order keeps stream order.
    // Another process may append between this read and our insert: the unique
    // index on (stream, stream_version) turns that into a ConcurrencyError.
    const versions = await currentVersions(sql, [...new Set(items.map((i) => i.stream))]);
    const outcomes: Outcome<AppendResult>[] = [];
    const accepted: { item: AppendItem; index: number; base: number }[] = [];
    items.forEach((item, index) => {
      const current = versions.get(item.stream) ?? 0;
      if (item.expected !== 'any' && item.expected !== current) {
        outcomes[index] = {
          ok: false,
          error: new ConcurrencyError(item.stream, item.expected, current),
        };
        return;
      }
      // Later appends to the same stream in this batch see this one, as if serial.
      versions.set(item.stream, current + item.envelopes.length);
      accepted.push({ item, index, base: current });
    });
    if (accepted.length === 0) return outcomes;

    // Sorted by stream, then version: two processes' batches that touch the
    // same streams then wait on each other's index entries in the same order,
    // and cannot deadlock on them.
    const rows = accepted
      .flatMap(({ item, base }) =>
        item.envelopes.map((e, i) => ({ e, stream: item.stream, version: base + i + 1 })),
      )
      .sort((a, b) =>
        a.stream === b.stream ? a.version - b.version : a.stream < b.stream ? -1 : 1,
      );
    const { order } = this.db.dialect;
    const inserted = await sql.query(
      `INSERT INTO events (${INSERT_EVENT_COLUMNS}) VALUES ${marks(rows.length, 11)}
       RETURNING CAST(position AS TEXT) AS position, ${order.txColumn('events')} AS tx, stream, stream_version`,
      rows.flatMap(({ e, stream, version }) => [
        e.id,
        stream,
        version,
        e.type,
        e.version,
        e.occurredAt,
        e.correlationId,
        e.causationId ?? null,
        e.traceparent ?? null,
        e.actor === undefined ? null : JSON.stringify(e.actor),
        JSON.stringify(e.data),
      ]),
    );
    // RETURNING order is unspecified for multi-row inserts: match by (stream, version).
    // The outbox keeps the insertion number (its foreign key); callers get the public position.
    const positionOf = new Map(
      inserted.map((row) => [
        `${text(row, 'stream')}\u0000${int(row, 'stream_version')}`,
        {
          seq: text(row, 'position'),
          public: order.position(text(row, 'tx'), text(row, 'position')),
        },
      ]),
    );
    const createdAt = new Date().toISOString();
    const outbox: unknown[] = [];
    for (const { item, index, base } of accepted) {
      const positions = item.envelopes.map((_, i) => {
        const position = positionOf.get(`${item.stream}\u0000${base + i + 1}`);
        if (position === undefined) throw new Error(`no position returned for ${item.stream}`);
        return position;
      });
      const key = partitionKey(item.stream);
      for (const { seq } of positions) outbox.push(seq, item.topic, key, createdAt);
      outcomes[index] = {
        ok: true,
        value: {
          nextVersion: base + item.envelopes.length,
          positions: positions.map((p) => p.public),
        },
      };
    }
    await sql.exec(
      `INSERT INTO outbox (position, topic, key, created_at) VALUES ${marks(outbox.length / 4, 4)}`,
      outbox,
    );
    return outcomes;
  }
}

/**
 * The appends (by index) whose events are all stored: event ids are minted
 * per append, so finding them proves that this very append committed.
 */
async function storedAppends(
  sql: Sql,
  dialect: Dialect,
  items: readonly AppendItem[],
): Promise<Map<number, AppendResult>> {
  const ids = items.flatMap((item) => item.envelopes.map((e) => e.id));
  const { order } = dialect;
  const rows = await sql.query(
    `SELECT id, CAST(position AS TEXT) AS position, ${order.txColumn('events')} AS tx, stream_version
     FROM events WHERE id IN (${ids.map(() => '?').join(', ')})`,
    ids,
  );
  const found = new Map(
    rows.map((row) => [
      String(row['id']),
      {
        position: order.position(text(row, 'tx'), text(row, 'position')),
        version: int(row, 'stream_version'),
      },
    ]),
  );
  const stored = new Map<number, AppendResult>();
  items.forEach((item, index) => {
    const events = item.envelopes.map((e) => found.get(e.id));
    if (!events.every((e) => e !== undefined)) return;
    stored.set(index, {
      nextVersion: Math.max(...events.map((e) => e.version)),
      positions: events.map((e) => e.position),
    });
  });
  return stored;
}

/** The latest version of each stream that has events (a stream without any is absent). */
async function currentVersions(sql: Sql, streams: readonly string[]): Promise<Map<string, number>> {
  const rows = await sql.query(
    `SELECT stream, MAX(stream_version) AS v FROM events WHERE stream IN (${streams.map(() => '?').join(', ')}) GROUP BY stream`,
    streams,
  );
  return new Map(rows.map((row) => [text(row, 'stream'), int(row, 'v')]));
}

async function currentVersion(sql: Sql, stream: string): Promise<number> {
  return (await currentVersions(sql, [stream])).get(stream) ?? 0;
}

/** `(?, ?), (?, ?)` for `rows` rows of `columns` values. */
function marks(rows: number, columns: number): string {
  const row = `(${Array.from({ length: columns }, () => '?').join(', ')})`;
  return Array.from({ length: rows }, () => row).join(', ');
}
