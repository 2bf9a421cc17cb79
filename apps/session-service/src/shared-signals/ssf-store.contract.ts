// The SsfStore contract: every adapter runs it (SQLite in the unit project,
// PostgreSQL in the int project), like the back-channel queue's.
import { randomUUID } from '@idp/crypto';
import type { NewSetDelivery, SetDeliveryMethod } from './set-delivery';
import type { SsfStore, StreamRow } from './ssf-store.port';

export interface SsfStoreFixture {
  readonly store: SsfStore;
  close(): Promise<void>;
}

const T0 = 1_800_000_000_000;
const LEASE = 10_000;
const TYPE = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';

function stream(streamId: string, over: Partial<StreamRow> = {}): StreamRow {
  return {
    streamId,
    clientId: `rs-${streamId}`,
    status: 'enabled',
    method: 'push',
    endpointUrl: `https://${streamId}.example/set`,
    eventsDelivered: [TYPE],
    excluded: [],
    version: 1,
    ...over,
  };
}

function delivery(
  streamId: string,
  sourceKey: string,
  method: SetDeliveryMethod = 'push',
): NewSetDelivery {
  return {
    streamId,
    jti: randomUUID(),
    clientId: `rs-${streamId}`,
    eventType: TYPE,
    sourceKey,
    method,
    claims: {
      iat: 1_800_000_000,
      txn: sourceKey,
      subId: { format: 'opaque', id: 'sid-1' },
      events: { [TYPE]: { event_timestamp: 1_800_000_000 } },
    },
  };
}

export function ssfStoreContract(name: string, open: () => Promise<SsfStoreFixture>) {
  describe(`SsfStore contract: ${name}`, () => {
    let fixture: SsfStoreFixture;
    let store: SsfStore;
    let id: string;

    beforeEach(async () => {
      fixture = await open();
      store = fixture.store;
      id = `st-${randomUUID()}`;
    });
    afterEach(() => fixture.close());

    describe('the streams working copy', () => {
      it('keeps the row folded from the most events, whatever order the writes come in', async () => {
        await store.upsertStream(stream(id, { version: 3, status: 'paused' }));
        await store.upsertStream(stream(id, { version: 2, status: 'enabled' }));
        expect(await store.getStream(id)).toMatchObject({ status: 'paused', version: 3 });
        await store.upsertStream(stream(id, { version: 4, status: 'deleted' }));
        expect(await store.getStream(id)).toMatchObject({ status: 'deleted', version: 4 });
      });

      it("lists the receiving streams (enabled, paused) and a receiver's live streams", async () => {
        const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((x) => `${id}-${x}`);
        await store.upsertStream(stream(a!, { clientId: `rs-${id}` }));
        await store.upsertStream(stream(b!, { clientId: `rs-${id}`, status: 'paused' }));
        await store.upsertStream(stream(c!, { clientId: `rs-${id}`, status: 'disabled' }));
        await store.upsertStream(stream(d!, { clientId: `rs-${id}`, status: 'deleted' }));
        const receiving = (await store.receivingStreams()).map((s) => s.streamId);
        expect(receiving).toEqual(expect.arrayContaining([a, b]));
        expect(receiving).not.toContain(c);
        expect(receiving).not.toContain(d);
        expect((await store.streamsOf(`rs-${id}`)).map((s) => s.streamId).sort()).toEqual(
          [a, b, c].sort(),
        );
        expect((await store.streamsById([a!, d!])).map((s) => s.streamId).sort()).toEqual(
          [a, d].sort(),
        );
      });

      it('lets one verification through per interval, whatever the concurrency', async () => {
        await store.upsertStream(stream(id));
        const attempts = await Promise.all(
          Array.from({ length: 5 }, () => store.startVerification(id, T0, 60_000)),
        );
        expect(attempts.filter((a) => a.ok)).toHaveLength(1);
        expect(attempts.filter((a) => !a.ok)).toEqual(
          Array.from({ length: 4 }, () => ({ ok: false, retryAfterMs: 60_000 })),
        );
        expect(await store.startVerification(id, T0 + 59_000, 60_000)).toEqual({
          ok: false,
          retryAfterMs: 1_000,
        });
        // A newer fold of the stream keeps the clock.
        await store.upsertStream(stream(id, { version: 2, status: 'paused' }));
        expect(await store.startVerification(id, T0 + 59_999, 60_000)).toEqual({
          ok: false,
          retryAfterMs: 1,
        });
        expect(await store.startVerification(id, T0 + 60_000, 60_000)).toEqual({ ok: true });
        // Another stream has its own clock.
        await store.upsertStream(stream(`${id}-b`));
        expect(await store.startVerification(`${id}-b`, T0 + 60_001, 60_000)).toEqual({
          ok: true,
        });
      });

      it('takes back a started verification, but never a later one', async () => {
        await store.upsertStream(stream(id));
        expect(await store.startVerification(id, T0, 60_000)).toEqual({ ok: true });
        await store.cancelVerification(id, T0);
        expect(await store.startVerification(id, T0 + 1_000, 60_000)).toEqual({ ok: true });
        // The one started at T0 is no longer the latest: cancelling it changes nothing.
        await store.cancelVerification(id, T0);
        expect(await store.startVerification(id, T0 + 2_000, 60_000)).toEqual({
          ok: false,
          retryAfterMs: 59_000,
        });
      });

      it('round-trips the sealed header, the events delivered and the removed subjects', async () => {
        const row = stream(id, { sealedAuthorization: 'sealed', excluded: ['["opaque","x"]'] });
        await store.upsertStream(row);
        expect(await store.getStream(id)).toEqual(row);
      });

      it('round-trips the subject format a stream asked for, and its absence', async () => {
        await store.upsertStream(stream(id, { subjectFormat: 'iss_sub' }));
        expect(await store.getStream(id)).toMatchObject({ subjectFormat: 'iss_sub' });
        expect((await store.receivingStreams()).find((s) => s.streamId === id)).toMatchObject({
          subjectFormat: 'iss_sub',
        });
        // A later fold without one (PUT without `format`) clears it.
        await store.upsertStream(stream(id, { version: 2 }));
        expect(await store.getStream(id)).toEqual(stream(id, { version: 2 }));
      });
    });

    describe('the SET queue', () => {
      beforeEach(() => store.upsertStream(stream(id)));

      it('schedules 1,000 deliveries in one call, each once per source key', async () => {
        const streams = Array.from({ length: 1000 }, (_, i) => `${id}-${i}`);
        for (const s of streams) await store.upsertStream(stream(s));
        const rows = streams.map((s) => delivery(s, 'event-1'));
        expect(await store.schedule(rows, T0)).toHaveLength(1000);
        // A redelivered source event inserts nothing, even with fresh jtis.
        expect(
          await store.schedule(
            streams.map((s) => delivery(s, 'event-1')),
            T0,
          ),
        ).toEqual([]);
        expect(await store.get({ streamId: streams[7]!, jti: rows[7]!.jti })).toMatchObject({
          status: 'pending',
          attempts: 0,
          claims: rows[7]!.claims,
        });
      });

      it('queues nothing for a stream that is disabled, deleted or unknown when the row is written', async () => {
        // A fan-out that read the working copy before the stream was disabled (SSF 1.0 8.1.2.1:
        // a disabled stream holds no events) or deleted.
        const [paused, disabled, deleted] = ['p', 'x', 'd'].map((x) => `${id}-${x}`);
        await store.upsertStream(stream(paused!, { status: 'paused' }));
        await store.upsertStream(stream(disabled!, { status: 'disabled' }));
        await store.upsertStream(stream(deleted!, { status: 'deleted' }));
        const rows = [id, paused!, disabled!, deleted!, `${id}-unknown`].map((s) =>
          delivery(s, 'e1'),
        );
        const queued = await store.schedule(rows, T0);
        expect(queued.map((d) => d.streamId).sort()).toEqual([id, paused].sort());
        expect(await store.get({ streamId: disabled!, jti: rows[2]!.jti })).toBeUndefined();
        expect(await store.get({ streamId: deleted!, jti: rows[3]!.jti })).toBeUndefined();
      });

      it('claims due push deliveries of enabled streams once, leased to one owner', async () => {
        const [row] = await store.schedule([delivery(id, 'e1')], T0);
        expect(await store.claimDue(10, T0, LEASE, 'a')).toEqual([row]);
        expect(await store.claimDue(10, T0, LEASE, 'b')).toEqual([]);
        // The lease runs out: another owner may take it.
        expect(await store.claimDue(10, T0 + LEASE, LEASE, 'b')).toHaveLength(1);
      });

      it('holds the deliveries of a paused stream and never pushes poll deliveries', async () => {
        await store.schedule([delivery(id, 'e1'), delivery(id, 'e2', 'poll')], T0);
        await store.upsertStream(stream(id, { status: 'paused', version: 2 }));
        expect(await store.claimDue(10, T0, LEASE, 'a')).toEqual([]);
        expect(await store.nextDueAt()).toBeUndefined();
        await store.upsertStream(stream(id, { status: 'enabled', version: 3 }));
        expect(await store.nextDueAt()).toBe(T0);
        const claimed = await store.claimDue(10, T0, LEASE, 'a');
        expect(claimed.map((d) => d.sourceKey)).toEqual(['e1']);
      });

      it('records outcomes only for the owner that holds the lease', async () => {
        const [row] = await store.schedule([delivery(id, 'e1')], T0);
        await store.claimDue(1, T0, LEASE, 'a');
        const key = { streamId: id, jti: row!.jti };
        const retry = {
          ...key,
          transition: {
            kind: 'retry' as const,
            attempt: 1,
            error: 'HTTP 503',
            nextAttemptAt: T0 + 500,
          },
        };
        expect(await store.record([retry], T0 + 1, 'b')).toBe(0);
        expect(await store.record([retry], T0 + 1, 'a')).toBe(1);
        expect(await store.get(key)).toMatchObject({
          status: 'pending',
          attempts: 1,
          lastError: 'HTTP 503',
          nextAttemptAt: T0 + 500,
        });
        expect(await store.claimDue(1, T0 + 499, LEASE, 'a')).toEqual([]);
        await store.claimDue(1, T0 + 500, LEASE, 'a');
        await store.record(
          [
            {
              ...key,
              transition: { kind: 'dead_lettered', attempt: 2, error: 'HTTP 400 invalid_key' },
            },
          ],
          T0 + 600,
          'a',
        );
        expect(await store.deadLetters({ limit: 10, after: { streamId: id, jti: '' } })).toEqual([
          expect.objectContaining({ jti: row!.jti, status: 'dead_lettered' }),
        ]);
        expect((await store.counts()).deadLettered).toBeGreaterThanOrEqual(1);
      });

      it('releases a claim without counting an attempt', async () => {
        const [row] = await store.schedule([delivery(id, 'e1')], T0);
        await store.claimDue(1, T0, LEASE, 'a');
        await store.release([{ streamId: id, jti: row!.jti }], T0 + 100, 'a');
        expect(await store.get({ streamId: id, jti: row!.jti })).toMatchObject({
          attempts: 0,
          nextAttemptAt: T0 + 100,
        });
        expect(await store.claimDue(1, T0 + 100, LEASE, 'b')).toHaveLength(1);
      });

      it('retries a dead letter with the same jti; 404 and 409 otherwise', async () => {
        const [row] = await store.schedule([delivery(id, 'e1')], T0);
        const key = { streamId: id, jti: row!.jti };
        expect(await store.retry(key, T0)).toMatchObject({ kind: 'not_dead_lettered' });
        expect(await store.retry({ streamId: id, jti: 'nope' }, T0)).toEqual({ kind: 'not_found' });
        await store.claimDue(1, T0, LEASE, 'a');
        await store.record(
          [{ ...key, transition: { kind: 'dead_lettered', attempt: 1, error: 'x' } }],
          T0,
          'a',
        );
        const retried = await store.retry(key, T0 + 5);
        expect(retried).toMatchObject({
          kind: 'requeued',
          delivery: { jti: row!.jti, status: 'pending', attempts: 0, nextAttemptAt: T0 + 5 },
        });
      });

      it('serves poll deliveries oldest first; ack delivers, setErrs dead-letters, only its own', async () => {
        const rows = [
          delivery(id, 'p1', 'poll'),
          delivery(id, 'p2', 'poll'),
          delivery(id, 'p3', 'poll'),
        ];
        await store.schedule(rows.slice(0, 1), T0);
        await store.schedule(rows.slice(1), T0 + 1);
        expect((await store.pendingPolled(id, 2)).map((d) => d.sourceKey)).toEqual([
          'p1',
          expect.any(String),
        ]);
        expect(await store.acknowledge('another-stream', [rows[0]!.jti], T0)).toBe(0);
        expect(await store.acknowledge(id, [rows[0]!.jti], T0)).toBe(1);
        expect(
          await store.refuse(id, [{ jti: rows[1]!.jti, error: 'receiver: invalid_key' }], T0),
        ).toBe(1);
        expect((await store.pendingPolled(id, 10)).map((d) => d.sourceKey)).toEqual(['p3']);
        expect(await store.get({ streamId: id, jti: rows[1]!.jti })).toMatchObject({
          status: 'dead_lettered',
          lastError: 'receiver: invalid_key',
        });
      });

      it('says which enabled streams have a SET waiting to be polled (long-poll re-check)', async () => {
        const [other, paused] = ['o', 'p'].map((x) => `${id}-${x}`);
        await store.upsertStream(stream(other!, { method: 'poll' }));
        await store.upsertStream(stream(paused!, { method: 'poll' }));
        expect(await store.pollStreamsReady([id, other!, paused!])).toEqual([]);
        await store.schedule(
          [delivery(id, 'e1'), delivery(other!, 'p1', 'poll'), delivery(paused!, 'p1', 'poll')],
          T0,
        );
        await store.upsertStream(stream(paused!, { method: 'poll', status: 'paused', version: 2 }));
        // A push delivery is not polled; a paused stream's SET waits.
        expect(await store.pollStreamsReady([id, other!, paused!])).toEqual([other]);
        expect(await store.pollStreamsReady([])).toEqual([]);
        const [row] = await store.pendingPolled(other!, 1);
        await store.acknowledge(other!, [row!.jti], T0);
        expect(await store.pollStreamsReady([other!])).toEqual([]);
      });

      it('dead-letters poll deliveries past their retention', async () => {
        const [old] = await store.schedule([delivery(id, 'p1', 'poll')], T0);
        const [young] = await store.schedule([delivery(id, 'p2', 'poll')], T0 + 1000);
        expect(await store.expirePolled(T0 + 500, T0 + 2000)).toBeGreaterThanOrEqual(1);
        expect(await store.get({ streamId: id, jti: old!.jti })).toMatchObject({
          status: 'dead_lettered',
        });
        expect(await store.get({ streamId: id, jti: young!.jti })).toMatchObject({
          status: 'pending',
        });
      });

      it('drops the pending rows of a disabled stream, and every row of a deleted one', async () => {
        const [a, b] = await store.schedule([delivery(id, 'e1'), delivery(id, 'e2')], T0);
        await store.claimDue(1, T0, LEASE, 'o');
        await store.record(
          [
            {
              streamId: id,
              jti: a!.jti,
              transition: { kind: 'delivered', attempt: 1, status: 202 },
            },
          ],
          T0,
          'o',
        );
        expect(await store.dropPending(id)).toBe(1);
        expect(await store.get({ streamId: id, jti: b!.jti })).toBeUndefined();
        expect(await store.get({ streamId: id, jti: a!.jti })).toMatchObject({
          status: 'delivered',
        });
        expect(await store.dropAll(id)).toBe(1);
        expect(await store.get({ streamId: id, jti: a!.jti })).toBeUndefined();
      });

      it('prunes delivered rows before a time, never pending or dead-lettered ones', async () => {
        const [a, b] = await store.schedule([delivery(id, 'e1'), delivery(id, 'e2')], T0);
        await store.claimDue(2, T0, LEASE, 'o');
        await store.record(
          [
            {
              streamId: id,
              jti: a!.jti,
              transition: { kind: 'delivered', attempt: 1, status: 202 },
            },
          ],
          T0,
          'o',
        );
        await store.pruneDelivered(T0 + 1, 1000);
        expect(await store.get({ streamId: id, jti: a!.jti })).toBeUndefined();
        expect(await store.get({ streamId: id, jti: b!.jti })).toMatchObject({ status: 'pending' });
      });
    });
  });
}
