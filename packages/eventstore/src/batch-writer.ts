import { partitionKey, type EventEnvelope } from '@idp/contracts';
import { isConnectionFault } from '@idp/oauth-errors';
import {
  ConcurrencyError,
  DuplicateEventError,
  type AppendResult,
  type ExpectedVersion,
} from './event-store.port';
import type { Outcome } from './group-commit';
import { letThePoolNoticeDeadConnections } from './sql/connection-guard';
import type { Dialect } from './sql/dialect';
import { INSERT_EVENT_COLUMNS, int, text } from './sql/event-rows';
import type { Sql, SqlDb } from './sql/sql-db';
import { currentVersion, currentVersions } from './sql/stream-versions';

/** 'any' appends lose a race only to another append; retrying a few times always converges. */
const ANY_ATTEMPTS = 5;

/** One caller's append, validated, waiting for its group's transaction. */
export interface AppendItem {
  readonly stream: string;
  readonly expected: ExpectedVersion;
  readonly envelopes: readonly EventEnvelope[];
  readonly topic: string;
}

/**
 * Writes a group of validated appends (GroupCommit's batch) to the events
 * table and the outbox, and settles each append on its own: one transaction
 * for the group, each append alone when a unique index or a deadlock voids
 * it, and the settling read of ADR 0014 when the connection died mid-commit.
 * The event store hands every batch here; it does nothing else.
 */
export class BatchWriter {
  constructor(private readonly db: SqlDb) {}

  /**
   * One transaction for a whole group of appends. If one of them trips a
   * unique index (a reused event id, or another process's append to the same
   * stream that got there first), or the database breaks a lock cycle with
   * another process's batch, the transaction is void for all; each then
   * commits alone, so only the offender fails and with its precise error. If
   * the connection died, whether the transaction committed is unknown: see
   * settleAfterLostConnection.
   */
  async commit(items: readonly AppendItem[]): Promise<Outcome<AppendResult>[]> {
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

/** `(?, ?), (?, ?)` for `rows` rows of `columns` values. */
function marks(rows: number, columns: number): string {
  const row = `(${Array.from({ length: columns }, () => '?').join(', ')})`;
  return Array.from({ length: rows }, () => row).join(', ');
}
