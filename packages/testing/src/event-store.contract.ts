import type { OutboxRelay } from '@idp/eventstore';
import { appendAndReadCases } from './event-store/append-read.cases';
import { outboxCases } from './event-store/outbox.cases';
import { queryCases } from './event-store/queries.cases';
import {
  expectPublishedExactlyOnce,
  FAST,
  ids,
  joined,
  RecordingPublisher,
  sessionStream,
  type ContractContext,
  type EventStoreFixture,
} from './event-store/support';

export type { EventStoreFixture, RelayFactory } from './event-store/support';

/** The behaviour every EventStore adapter (and its outbox relay) must have. */
export function eventStoreContract(name: string, make: () => Promise<EventStoreFixture>): void {
  describe(`EventStore contract: ${name}`, () => {
    let f: EventStoreFixture;
    let relays: OutboxRelay[];
    const relay: ContractContext['relay'] = (
      publisher,
      options = FAST,
      factory = f.relayFactory,
    ) => {
      const r = factory(publisher, options);
      relays.push(r);
      return r;
    };

    beforeEach(async () => {
      f = await make();
      relays = [];
    });
    afterEach(async () => {
      await Promise.all(relays.map((r) => r.stop()));
      await f.cleanup();
    });

    const ctx: ContractContext = { fixture: () => f, relay };
    appendAndReadCases(ctx);
    outboxCases(ctx);
    queryCases(ctx);

    it('loses no committed event when closed abruptly, and a restarted relay publishes the rest', async () => {
      if (!f.reopen) return;
      const stream = sessionStream();
      await f.store.append(stream, 0, [joined(stream, 1), joined(stream, 2), joined(stream, 3)]);
      const first = relay(Object.assign(new RecordingPublisher(), { failing: true }));
      first.start();
      await f.store.close(); // no relay.stop(): the process "dies" with unsent rows
      const reopened = await f.reopen();
      try {
        expect(ids(await reopened.store.readStream(stream))).toHaveLength(3);
        const publisher = new RecordingPublisher();
        const second = relay(publisher, FAST, reopened.relayFactory);
        second.start();
        await second.flush();
        expectPublishedExactlyOnce(publisher, await reopened.store.readAll('0', 100));
      } finally {
        await Promise.all(relays.map((r) => r.stop()));
        await reopened.store.close();
      }
    });
  });
}
