import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventStore, type EventStore } from '@idp/eventstore';
import { sessionStream } from '@idp/domain';
import type { DeliveryStore } from './delivery-store.port';
import type { BackchannelDispatcher } from './dispatcher';
import { FanOutScheduler } from './fan-out.scheduler';
import { createDeliveryStore } from './sql/create-delivery-store';
import { type TokenRpcClient } from '@idp/contracts';

/** token-service's answer: every client asked about registered a URI. */
const tokens = {
  backchannelLogoutTargets: async ({ clientIds }: { clientIds: string[] }) => ({
    targets: clientIds.map((clientId) => ({
      clientId,
      uri: `https://${clientId}.example/bcl`,
      alg: 'RS256',
    })),
  }),
} as unknown as TokenRpcClient;

const dispatcher = { wake: () => undefined } as unknown as BackchannelDispatcher;

/**
 * Over real SQLite stores (deliveries and events): what one session.ended, or
 * its redelivery after a crash, leaves in the delivery table and in the
 * session's stream.
 */
describe('FanOutScheduler', () => {
  let dir: string;
  let events: EventStore;
  let deliveries: DeliveryStore;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'idp-fanout-'));
    events = await createEventStore({ driver: 'sqlite', file: join(dir, 'events.db') });
    deliveries = await createDeliveryStore({
      driver: 'sqlite',
      file: join(dir, 'backchannel.sqlite'),
    });
  });
  afterEach(async () => {
    await deliveries.close();
    await events.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Which clients the session's `…_scheduled` events list, in order (repeats kept). */
  const journaled = async (sid: string) =>
    (await events.readStream(sessionStream(sid)))
      .filter((e) => e.type === 'session.backchannel_logout_scheduled')
      .flatMap((e) => (e.data as { deliveries: { clientId: string }[] }).deliveries)
      .map((d) => d.clientId);

  it('schedules one delivery per client and journals each once, even when the event comes twice', async () => {
    const scheduler = new FanOutScheduler(deliveries, tokens, events, dispatcher);
    const ended = { sid: 's1', sub: 'alice', clientIds: ['rp-1', 'rp-2', 'rp-1'] };
    expect(await scheduler.schedule(ended)).toBe(2);
    expect(await scheduler.schedule(ended)).toBe(0);
    expect((await journaled('s1')).sort()).toEqual(['rp-1', 'rp-2']);
  });

  it('journals rows a crash left unjournaled when the event is redelivered (issue #12)', async () => {
    // The process dies after the rows commit and before their `…_scheduled` event is appended.
    const crashing = {
      ...events,
      append: async () => {
        throw new Error('killed before the journal');
      },
      readStream: events.readStream.bind(events),
    } as EventStore;
    const ended = { sid: 's2', sub: 'alice', clientIds: ['rp-1', 'rp-2'] };
    await expect(
      new FanOutScheduler(deliveries, tokens, crashing, dispatcher).schedule(ended),
    ).rejects.toThrow('killed before the journal');
    expect(await journaled('s2')).toEqual([]);

    // The offset was not committed, so the restarted consumer gets session.ended again.
    const restarted = new FanOutScheduler(deliveries, tokens, events, dispatcher);
    expect(await restarted.schedule(ended)).toBe(0); // nothing new to deliver: the rows exist
    expect((await journaled('s2')).sort()).toEqual(['rp-1', 'rp-2']);
    // The journal names the rows as they are (the jti fixed when the row was inserted).
    const row = await deliveries.get({ sid: 's2', clientId: 'rp-1' });
    const listed = (await events.readStream('session-s2')).flatMap(
      (e) => (e.data as { deliveries: { clientId: string; jti: string }[] }).deliveries,
    );
    expect(listed.find((d) => d.clientId === 'rp-1')?.jti).toBe(row?.jti);

    // And a third delivery of the event journals nothing more.
    await restarted.schedule(ended);
    expect((await journaled('s2')).sort()).toEqual(['rp-1', 'rp-2']);
  });

  it('adds a client that joined after the end to the same session, journalled on its own', async () => {
    const scheduler = new FanOutScheduler(deliveries, tokens, events, dispatcher);
    await scheduler.schedule({ sid: 's3', sub: 'alice', clientIds: ['rp-1'] });
    expect(await scheduler.schedule({ sid: 's3', sub: 'alice', clientIds: ['rp-late'] })).toBe(1);
    expect(await deliveries.get({ sid: 's3', clientId: 'rp-late' })).toMatchObject({
      status: 'pending',
      sub: 'alice',
      uri: 'https://rp-late.example/bcl',
    });
    expect(await journaled('s3')).toEqual(['rp-1', 'rp-late']);
  });
});
