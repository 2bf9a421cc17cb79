import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_DELIVERIES_PER_EVENT } from '@idp/contracts';
import { createEventStore, type EventStore } from '@idp/eventstore';
import { sessionStream } from '@idp/domain';
import type { Delivery } from './delivery';
import { DeliveryJournal } from './delivery-journal';

const delivery = (sid: string, i: number): Delivery => ({
  sid,
  clientId: `rp-${i}`,
  sub: 'alice',
  jti: `jti-${sid}-${i}`,
  uri: `https://rp-${i}.example/logout`,
  alg: 'ES256',
  status: 'pending',
  attempts: 0,
  nextAttemptAt: 0,
  lastError: null,
  createdAt: 0,
  updatedAt: 0,
});

/** Over a real SQLite event store: what a fan-out leaves in the session streams. */
describe('DeliveryJournal', () => {
  let dir: string;
  let store: EventStore;
  let journal: DeliveryJournal;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'idp-journal-'));
    store = await createEventStore({ driver: 'sqlite', file: join(dir, 'events.db') });
    journal = new DeliveryJournal(store);
  });
  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const streamOf = async (sid: string) =>
    (await store.readStream(sessionStream(sid))).map((e) => ({
      type: e.type,
      data: e.data as Record<string, unknown>,
    }));

  it('records a large fan-out in a few events, per session, none over the size limit', async () => {
    const n = MAX_DELIVERIES_PER_EVENT * 2 + 7;
    const big = Array.from({ length: n }, (_, i) => delivery('big', i));
    await journal.scheduled([...big, delivery('small', 0)], 'session_ended');

    const events = await streamOf('big');
    expect(events.map((e) => (e.data['deliveries'] as unknown[]).length)).toEqual([
      MAX_DELIVERIES_PER_EVENT,
      MAX_DELIVERIES_PER_EVENT,
      7,
    ]);
    const listed = events.flatMap((e) => e.data['deliveries'] as { jti: string }[]);
    expect(listed.map((d) => d.jti)).toEqual(big.map((d) => d.jti));
    expect(events.every((e) => e.type === 'session.backchannel_logout_scheduled')).toBe(true);
    expect(events[0]!.data['trigger']).toBeUndefined();
    expect(await streamOf('small')).toHaveLength(1);
  });

  it("names the event the scheduling follows from, in that event's correlation (ADR 0038); the sid without one", async () => {
    const cause = { id: '01936f3e-0000-7000-8000-000000000001', correlationId: 'corr-theft' };
    await journal.scheduled([delivery('caused', 0)], 'session_ended', cause);
    await journal.scheduled([delivery('uncaused', 0)], 'session_ended');
    const [caused] = await store.readStream(sessionStream('caused'));
    expect(caused).toMatchObject({ correlationId: 'corr-theft', causationId: cause.id });
    const [uncaused] = await store.readStream(sessionStream('uncaused'));
    expect(uncaused!.correlationId).toBe('uncaused');
    expect(uncaused).not.toHaveProperty('causationId');
  });

  it('batches deliveries, and records each failure and dead letter on its own', async () => {
    const [a, b, c, d] = [0, 1, 2, 3].map((i) => delivery('mixed', i)) as [
      Delivery,
      Delivery,
      Delivery,
      Delivery,
    ];
    await journal.outcomes([
      { delivery: a, transition: { kind: 'delivered', attempt: 1, status: 200 } },
      {
        delivery: b,
        transition: { kind: 'retry', attempt: 1, error: 'HTTP 503', nextAttemptAt: 5_000 },
      },
      { delivery: c, transition: { kind: 'delivered', attempt: 2, status: 204 } },
      { delivery: d, transition: { kind: 'dead_lettered', attempt: 8, error: 'timeout' } },
    ]);
    const events = await streamOf('mixed');
    expect(events.map((e) => e.type).sort()).toEqual([
      'session.backchannel_logout_attempt_failed',
      'session.backchannel_logout_dead_lettered',
      'session.backchannel_logout_delivered',
    ]);
    const delivered = events.find((e) => e.type === 'session.backchannel_logout_delivered')!;
    expect(delivered.data['deliveries']).toEqual([
      { clientId: 'rp-0', jti: 'jti-mixed-0', attempt: 1, status: 200 },
      { clientId: 'rp-2', jti: 'jti-mixed-2', attempt: 2, status: 204 },
    ]);
    const failed = events.find((e) => e.type === 'session.backchannel_logout_attempt_failed')!;
    expect(failed.data).toMatchObject({
      clientId: 'rp-1',
      attempt: 1,
      error: 'HTTP 503',
      nextAttemptAt: 5,
    });
  });

  it('marks an operator retry as such', async () => {
    await journal.scheduled([delivery('retried', 0)], 'admin_retry');
    expect((await streamOf('retried'))[0]!.data['trigger']).toBe('admin_retry');
  });
});
