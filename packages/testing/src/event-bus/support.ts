import type {
  DeliveryContext,
  DeadLetterReader,
  EventBus,
  EventHandler,
  SubscribeOptions,
  Subscription,
} from '@idp/bus';
import {
  SessionStarted,
  uuidv7,
  type DomainEvent,
  type EventEnvelope,
  freshEventMeta,
} from '@idp/contracts';

/** What an adapter hands the suite: a bus over `topics` (it must also create their `.dlq`). */
export interface EventBusFixture {
  readonly bus: EventBus & DeadLetterReader;
  /** Writes a value without produce-side validation, as a foreign or buggy producer would. */
  publishRaw(topic: string, key: string, value: string): Promise<void>;
  cleanup(): Promise<void>;
}

export interface EventBusContractOptions {
  /** Longest wait for an expected delivery (default 10 s). */
  readonly timeoutMs?: number;
  /** How long "nothing else arrives" is observed (default 300 ms). */
  readonly quietMs?: number;
}

/** A valid event of stream `key` at `version`: the suite tracks order through streamVersion. */
export function sampleEvent(key: string, version: number): EventEnvelope {
  const pending = SessionStarted.create(
    { sid: key, sub: 'user-1', authTime: 1, idleExpiresAt: 2, absoluteExpiresAt: 3 },
    freshEventMeta('bus-contract'),
  );
  return { ...pending, stream: key, streamVersion: version };
}

export const msgs = (key: string, from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ key, value: sampleEvent(key, from + i) }));

export const group = () => `test-group-${uuidv7()}`;

interface Seen {
  readonly event: DomainEvent;
  readonly ctx: DeliveryContext;
  readonly member: string;
  readonly at: number;
}

/** Records deliveries; `behave` may throw or block to script a handler. */
export class Inbox {
  readonly seen: Seen[] = [];
  handler(
    member = 'm',
    behave?: (e: DomainEvent, ctx: DeliveryContext) => Promise<void> | void,
  ): EventHandler {
    return async (event, ctx) => {
      this.seen.push({ event, ctx, member, at: Date.now() });
      await behave?.(event, ctx);
    };
  }
  /** Versions of `key` whose handling was attempted, in order. */
  versions(key?: string, member?: string): number[] {
    return this.seen
      .filter(
        (s) =>
          (key === undefined || s.event.stream === key) &&
          (member === undefined || s.member === member),
      )
      .map((s) => s.event.streamVersion);
  }
}

/** A started bus over the fresh topics of one test, with `subscribe` defaulting to `topic`. */
export interface BusUnderTest extends EventBusFixture {
  readonly topic: string;
  subscribe(o: Omit<SubscribeOptions, 'topics'> & Partial<SubscribeOptions>): Promise<Subscription>;
}

/** What the case groups get from the contract's describe: fresh buses it closes afterwards, and its timing. */
export interface ContractContext {
  /** A started bus over two fresh topics; the contract closes and cleans it up after the test. */
  setup(): Promise<BusUnderTest>;
  /** Polls `cond` until it holds, failing after `ms` (default: the contract's timeout). */
  waitFor(what: string, cond: () => boolean, ms?: number): Promise<void>;
  /** Observes for the contract's quiet period that nothing else arrives. */
  quiet(): Promise<unknown>;
  /** Registers a test with three times the contract's timeout. */
  check(title: string, fn: () => Promise<void>): void;
}
