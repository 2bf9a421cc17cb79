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
  /** Global, strictly increasing, as a decimal string so it never overflows a JS number. */
  readonly position: string;
}

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
   * in position order. Gap-free: once a position was returned, no event with a
   * lower position can commit later, so callers may checkpoint on it.
   */
  readAll(fromPosition: string, limit: number): Promise<StoredEvent[]>;
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
