import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InProcessEventBus, silentBusLogger } from '@idp/bus';
import { SessionEnded, TOPICS, freshEventMeta } from '@idp/contracts';
import { createEventStore, OutboxRelay, type TypeOrmEventStore } from '@idp/eventstore';

/**
 * The embedded mode's bus lives in memory. A crash after the outbox relay
 * published an event and before its consumers had handled it must not lose
 * what the consumers would have done (back-channel logout scheduling, a
 * session's grants revoked): the row stays unsent until every consumer is
 * done, and the next start publishes it again.
 */
describe('embedded mode: a crash between publish and handling loses nothing', () => {
  let dir: string;
  let store: TypeOrmEventStore;
  const cleanups: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'idp-crash-'));
    store = await createEventStore({ driver: 'sqlite', file: join(dir, 'events.sqlite') });
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** One "process": a bus, a consumer that records what it handled, and the relay. */
  async function boot(
    events: TypeOrmEventStore,
    ackWhen: 'appended' | 'consumed',
    handler: (id: string) => Promise<void>,
  ) {
    const bus = new InProcessEventBus({ logger: silentBusLogger, ackWhen });
    await bus.start();
    await bus.subscribe({
      groupId: 'session-service.backchannel',
      topics: [TOPICS.session],
      handler: (event) => handler(event.id),
    });
    const relay = new OutboxRelay(events.outbox, bus, { sweepIntervalMs: 20 });
    relay.start();
    return { bus, relay };
  }

  /** A session ends; the first process dies while its consumer is still handling it. */
  async function crashMidHandling(ackWhen: 'appended' | 'consumed'): Promise<string[]> {
    let inHandler!: () => void;
    const handling = new Promise<void>((r) => (inHandler = r));
    let unblock!: () => void;
    const never = new Promise<void>((r) => (unblock = r));
    const first = await boot(store, ackWhen, async () => {
      inHandler();
      await never; // the process dies here: the handler never completes
    });
    const ended = SessionEnded.create(
      { sid: 's1', sub: 'alice', reason: 'admin', clientIds: ['rp-1'] },
      freshEventMeta('c'),
    );
    await store.append('session-s1', 'any', [ended]);
    first.relay.notify();
    await handling;
    // Give a relay that does not wait for consumers the time to mark the row sent.
    await sleep(100);
    // The crash: the first process's timers and bus are gone; nothing of it runs again.
    cleanups.push(async () => {
      unblock();
      await first.relay.stop();
      await first.bus.close();
    });
    void first.relay.stop(); // its timers stop now; the pass in flight never ends (the crash)

    // The restart: the same database file, opened afresh, as the next process would.
    const reopened = await createEventStore({ driver: 'sqlite', file: join(dir, 'events.sqlite') });
    const handledAfterRestart: string[] = [];
    const second = await boot(reopened, ackWhen, async (id) => void handledAfterRestart.push(id));
    cleanups.push(async () => {
      await second.relay.stop();
      await second.bus.close();
      await reopened.close();
    });
    await sleep(300);
    return handledAfterRestart.filter((id) => id === ended.id);
  }

  it("with ackWhen 'consumed' (the embedded setting), the restarted process handles the event", async () => {
    expect(await crashMidHandling('consumed')).toHaveLength(1);
  });

  it("with ackWhen 'appended' (Kafka's semantics, wrong for a bus in memory), it would be lost", async () => {
    expect(await crashMidHandling('appended')).toHaveLength(0);
  });
});
