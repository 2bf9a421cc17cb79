import type { DomainEvent, EventEnvelope } from '@idp/contracts';

/** Nest injection token for the one EventBus of a process. */
export const EVENT_BUS = Symbol('EventBus');

/** One event to publish. `key` is the stream id: one stream always lands in one partition. */
export interface BusMessage {
  readonly key: string;
  readonly value: EventEnvelope;
}

/** Where a delivered message sits in the log, and which handler attempt this is (1-based). */
export interface DeliveryContext {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly attempt: number;
  /** The message's headers (`x-request-id`, `traceparent`: the context that caused the event). */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Handles one event that has already passed `parseEvent`. The message counts as
 * consumed only when the returned promise resolves, so resolve only once the
 * effect is durable. Throwing means "retry me"; the bus never crashes on it.
 */
export type EventHandler = (event: DomainEvent, ctx: DeliveryContext) => Promise<void>;

export interface RetryBackoff {
  /** Delay before the 2nd attempt; doubles for each further attempt. */
  readonly initial: number;
  /** Cap on any single delay. */
  readonly max: number;
}

export interface SubscribeOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly handler: EventHandler;
  /**
   * Where a group with no committed position starts: true (default) = the oldest
   * retained message; false = the end of each partition when subscribe()
   * resolves (on Kafka: when the subscription first connects, if the broker was down).
   */
  readonly fromBeginning?: boolean;
  /** Handler attempts before the message is dead-lettered. Default 8. */
  readonly maxAttempts?: number;
  /** Default { initial: 100, max: 10_000 } ms. */
  readonly retryBackoffMs?: RetryBackoff;
}

export interface Subscription {
  /** Stops fetching, abandons pending retries (the message stays uncommitted) and waits for a running handler. */
  close(): Promise<void>;
}

/**
 * Port between the services and the event log transport (ARCHITECTURE.md,
 * "The event log"). Guarantees, identical for every adapter:
 * - same key → delivered in publish order; at-least-once delivery;
 * - within a group each message goes to one member; every group gets every message;
 * - a failing handler is retried with exponential backoff, then the message goes
 *   to `deadLetterTopic(topic)` and consumption moves on;
 * - a value that is not JSON or fails `parseEvent` goes straight to the dead-letter topic.
 */
export interface EventBus {
  /** Connects and creates the configured topics (+ their `.dlq`). Never throws for an unreachable broker. */
  start(): Promise<void>;
  /**
   * Validates every value with `parseEvent` first (EventValidationError, nothing
   * published), then publishes all or rejects. Rejects fast while not ready().
   */
  publish(topic: string, messages: readonly BusMessage[]): Promise<void>;
  subscribe(opts: SubscribeOptions): Promise<Subscription>;
  /** Readiness: connected and able to publish. */
  ready(): boolean;
  close(): Promise<void>;
}

/** A message that could not be handled, as read back from a dead-letter topic. */
export interface DeadLetter {
  /** The topic, partition and offset the message was consumed from. */
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  /** The original payload, byte for byte (it may not even be JSON). */
  readonly value: string | null;
  readonly error: string;
  /** Handler attempts made; 0 = the payload never reached a handler (invalid). */
  readonly attempts: number;
  readonly groupId: string;
  readonly failedAt: string;
}

export type DeadLetterHandler = (letter: DeadLetter) => Promise<void>;

export interface DeadLetterSubscribeOptions {
  readonly groupId: string;
  /** The *original* topics; their dead-letter topics are read. */
  readonly topics: readonly string[];
  readonly handler: DeadLetterHandler;
  /** Default true. */
  readonly fromBeginning?: boolean;
}

/**
 * Reading dead letters (alerting, replay tools, tests). A separate port so the
 * EventBus stays what services need. A failing dead-letter handler is retried
 * forever with capped backoff: a dead letter is never skipped.
 */
export interface DeadLetterReader {
  subscribeDeadLetters(opts: DeadLetterSubscribeOptions): Promise<Subscription>;
}
