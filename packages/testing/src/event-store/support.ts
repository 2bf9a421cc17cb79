import { setTimeout as sleep } from 'node:timers/promises';
import {
  freshEventMeta,
  SessionClientJoined,
  topicForStream,
  uuidv7,
  type EventEnvelope,
  type PendingEvent,
} from '@idp/contracts';
import {
  type EventStore,
  type OutboxMessage,
  type OutboxPublisher,
  type OutboxRelay,
  type OutboxRelayOptions,
  type StoredEvent,
} from '@idp/eventstore';

export type RelayFactory = (
  publisher: OutboxPublisher,
  options?: OutboxRelayOptions,
) => OutboxRelay;

export interface EventStoreFixture {
  readonly store: EventStore;
  readonly relayFactory: RelayFactory;
  /** Opens the same database again (a restart); enables the durability test. */
  readonly reopen?: () => Promise<{ store: EventStore; relayFactory: RelayFactory }>;
  /** Closes what is still open and deletes the database. */
  readonly cleanup: () => Promise<void>;
}

/** A fake of the publisher (never of the store): records what it accepted, fails on demand. */
export class RecordingPublisher implements OutboxPublisher {
  readonly sent: { topic: string; key: string; value: EventEnvelope }[] = [];
  calls = 0;
  failing = false;
  async publish(topic: string, messages: OutboxMessage[]): Promise<void> {
    this.calls++;
    if (this.failing) throw new Error('broker unavailable');
    for (const m of messages) this.sent.push({ topic, ...m });
  }
}

export const FAST: OutboxRelayOptions = {
  sweepIntervalMs: 20,
  batchSize: 3,
  backoff: { initialMs: 5, maxMs: 20 },
};

export const sessionStream = () => `session-${uuidv7()}`;
export const joined = (
  stream: string,
  n: number,
  meta: Partial<PendingEvent> = {},
): PendingEvent => ({
  ...SessionClientJoined.create(
    { sid: stream.slice(8), clientId: `rp-${n}` },
    freshEventMeta(`corr-${n}`),
  ),
  ...meta,
});
export const ids = (events: readonly { id: string }[]) => events.map((e) => e.id);
export const withoutPosition = ({ position: _position, ...envelope }: StoredEvent): EventEnvelope =>
  envelope;
export { sleep };

export async function waitFor(
  what: string,
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Every committed event exactly once, each stream in order, on its topic, keyed by its stream. */
export function expectPublishedExactlyOnce(
  publisher: RecordingPublisher,
  committed: readonly StoredEvent[],
): void {
  expect([...ids(publisher.sent.map((m) => m.value))].sort()).toEqual([...ids(committed)].sort());
  for (const m of publisher.sent) {
    expect(m.topic).toBe(topicForStream(m.value.stream));
    expect(m.key).toBe(m.value.stream);
  }
  for (const stream of new Set(committed.map((e) => e.stream))) {
    const published = publisher.sent.filter((m) => m.value.stream === stream).map((m) => m.value);
    expect(published).toEqual(committed.filter((e) => e.stream === stream).map(withoutPosition));
  }
}

/** The behaviour every EventStore adapter (and its outbox relay) must have. */

/** What the case groups get from the contract's describe: the fixture of the current test, and relays it stops afterwards. */
export interface ContractContext {
  fixture(): EventStoreFixture;
  relay(
    publisher: OutboxPublisher,
    options?: OutboxRelayOptions,
    factory?: RelayFactory,
  ): OutboxRelay;
}
