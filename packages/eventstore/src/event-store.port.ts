import type { EventEnvelope, PendingEvent } from '@idp/contracts';

/** Nest injection token for the {@link EventStore} port. */
export const EVENT_STORE = Symbol('EventStore');

/**
 * What the caller believes the stream's version is: the exact current version
 * (0 = the stream must not exist yet), or 'any' to append unconditionally.
 */
export type ExpectedVersion = number | 'any';

/** An event as stored: the envelope plus its place in the global order. */
export interface StoredEvent extends EventEnvelope {
  /**
   * The event's place in the global order, as a decimal string (compare as
   * BigInt; it may exceed 2^64). Strictly increasing in readAll order, but not
   * contiguous: consecutive events may be far apart (ADR 0024).
   */
  readonly position: string;
}

/**
 * The fields of an event's `data` that {@link EventStore.streamsWhere} can
 * match. Each has an index, so the query never scans the log; adding one
 * means adding its index in a migration (packages/eventstore/src/sql).
 */
export const INDEXED_DATA_FIELDS = ['sub', 'clientId', 'sid'] as const;
export type IndexedDataField = (typeof INDEXED_DATA_FIELDS)[number];

export const isIndexedDataField = (field: string): field is IndexedDataField =>
  (INDEXED_DATA_FIELDS as readonly string[]).includes(field);

/** Which streams {@link EventStore.streamsWhere} returns. */
export interface StreamsWhere {
  /** Only streams whose id starts with this, e.g. `grant-`. Must not be empty. */
  readonly streamPrefix: string;
  /** An event's `data[field]` ... */
  readonly field: IndexedDataField;
  /** ... equals this string exactly (case-sensitive). */
  readonly value: string;
  /** Keyset paging: only stream ids after this one (exclusive), in code-point order. */
  readonly after?: string;
  /** At most this many stream ids (default and maximum {@link STREAMS_WHERE_MAX}). */
  readonly limit?: number;
}

export const STREAMS_WHERE_MAX = 1_000;

export interface AppendResult {
  /** The stream's version after this append: pass it as `expected` next time. */
  readonly nextVersion: number;
  /** Global positions of the appended events, in stream order. */
  readonly positions: string[];
}

/**
 * The append-only event log (ARCHITECTURE.md, "The event log"). One stream per
 * aggregate; every append commits its outbox rows in the same transaction.
 *
 * @example
 * const { nextVersion } = await store.append('session-s1', 0, [SessionStarted.create(data, meta)]);
 * const events = await store.readStream('session-s1');
 */
export interface EventStore {
  /**
   * Appends atomically: all events and their outbox rows, or nothing.
   * Each event is validated with `parseEvent` first (throws `EventValidationError`).
   * Throws {@link ConcurrencyError} when `expected` is not the stream's version.
   * Appending zero events writes nothing and returns the current version.
   */
  append(
    stream: string,
    expected: ExpectedVersion,
    events: readonly PendingEvent[],
  ): Promise<AppendResult>;
  /** The stream's events from `fromVersion` (inclusive, default 1), in stream order. */
  readStream(stream: string, fromVersion?: number): Promise<StoredEvent[]>;
  /**
   * Up to `limit` events after `fromPosition` (exclusive; '0' = from the start),
   * in position order. Safe to checkpoint on: once a position was returned, no
   * event with a lower position can commit later, so reading on from the last
   * one returned never skips or repeats an event. Positions are not contiguous
   * (never count events by them). Every event committed before the call is
   * returned (within `limit`), though on PostgreSQL that may take a moment
   * while older transactions are still open (ADR 0024).
   */
  readAll(fromPosition: string, limit: number): Promise<StoredEvent[]>;
  /**
   * The position of the newest event readAll can return now ('0' when there
   * is none): readAll from it returns exactly the events that commit later.
   */
  lastPosition(): Promise<string>;
  /** How many events the store holds (a full count: for operators' progress figures). */
  countEvents(): Promise<number>;
  /**
   * The ids of the streams with at least one event whose `data[field]` is
   * `value`, each once, in ascending order; page with `after` = the last id
   * returned until a page comes back shorter than the limit. Consistency: a
   * stream whose matching event committed before the call is always found;
   * one committing concurrently may or may not be (ADR 0009).
   *
   * @example
   * // every grant of a user, 1,000 at a time
   * for (let after = '', page: string[] = []; ; after = page.at(-1)!) {
   *   page = await store.streamsWhere({ streamPrefix: 'grant-', field: 'sub', value: sub, after });
   *   ...;
   *   if (page.length < STREAMS_WHERE_MAX) break;
   * }
   */
  streamsWhere(query: StreamsWhere): Promise<string[]>;
  /** Readiness: true when the database answers. */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

/** Optimistic concurrency failed: someone else appended to the stream first. */
export class ConcurrencyError extends Error {
  override readonly name = 'ConcurrencyError';
  constructor(
    readonly stream: string,
    readonly expected: ExpectedVersion,
    /** The stream's version when the conflict was detected. */
    readonly actual: number,
  ) {
    super(`stream ${stream}: expected version ${String(expected)}, actual ${actual}`);
  }
}

/** An event id was appended before: a retried command, not a concurrency race. */
export class DuplicateEventError extends Error {
  override readonly name = 'DuplicateEventError';
  constructor(
    readonly stream: string,
    readonly ids: readonly string[],
  ) {
    super(`stream ${stream}: an event with one of the ids ${ids.join(', ')} already exists`);
  }
}
