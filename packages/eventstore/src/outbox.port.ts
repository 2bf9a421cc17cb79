import type { EventEnvelope } from '@idp/contracts';
import type { StoredEvent } from './event-store.port';

export interface OutboxMessage {
  /** Partition key: the stream id, so one stream stays ordered. */
  readonly key: string;
  readonly value: EventEnvelope;
}

/**
 * Where the relay sends committed events. The Kafka and in-process buses
 * satisfy it structurally, so this package imports no bus. Resolving means
 * every message is durably accepted; rejecting means none can be assumed sent.
 */
export interface OutboxPublisher {
  publish(topic: string, messages: OutboxMessage[]): Promise<void>;
}

/** One unsent outbox row with the event it refers to. */
export interface OutboxEntry {
  /**
   * The row's key in the outbox, for markSent and recordFailure: the event's
   * insertion number, not its public position (ADR 0024).
   */
  readonly position: string;
  readonly topic: string;
  readonly key: string;
  readonly attempts: number;
  readonly event: StoredEvent;
}

/** What a relay may do while it holds the lease. */
export interface OutboxSession {
  /**
   * The oldest unsent rows, in insertion order. That keeps each stream in
   * stream order (a stream's next event is inserted only after the previous
   * one committed) but is not readAll's order across streams (ADR 0024).
   */
  next(limit: number): Promise<OutboxEntry[]>;
  markSent(positions: readonly string[], at: Date): Promise<void>;
  recordFailure(positions: readonly string[], error: string): Promise<void>;
  /** Deletes rows sent before `before`; returns how many. */
  purgeSent(before: Date): Promise<number>;
}

export interface OutboxBacklog {
  readonly count: number;
  /** The creation time of the unsent row with the lowest position; undefined when none. */
  readonly oldestCreatedAt: Date | undefined;
}

export type LeaseResult<T> = { readonly held: true; readonly value: T } | { readonly held: false };

/**
 * The storage side of the transactional outbox, as the relay sees it.
 * Implemented by the store adapter (see `TypeOrmEventStore.outbox`).
 */
export interface Outbox {
  /**
   * Runs `fn` as the only relay of this database, or returns `{ held: false }`
   * at once when another relay holds the lease.
   */
  withLease<T>(fn: (session: OutboxSession) => Promise<T>): Promise<LeaseResult<T>>;
  pendingCount(): Promise<number>;
  /** How many rows are unsent, and when the oldest of them was written (for metrics). */
  backlog(): Promise<OutboxBacklog>;
  /** Highest unsent row key (OutboxEntry.position), or undefined when nothing is pending. */
  maxPendingPosition(): Promise<string | undefined>;
  /** True while some row with a key at or below `position` (a row key) is unsent. */
  hasPendingUpTo(position: string): Promise<boolean>;
}
