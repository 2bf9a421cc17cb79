// The DeliveryStore contract: every adapter runs it (SQLite in the unit
// project, PostgreSQL in the int project), like packages/testing's suites.
import { randomUUID } from '@idp/crypto';
import type { NewDelivery } from './delivery';
import type { DeliveryStore } from './delivery-store.port';

export interface DeliveryStoreFixture {
  readonly store: DeliveryStore;
  /** Opens the same database again, as a restarted process would. */
  reopen(): Promise<DeliveryStore>;
  close(): Promise<void>;
}

const T0 = 1_800_000_000_000;
const LEASE = 10_000;

function newDelivery(sid: string, clientId: string): NewDelivery {
  return {
    sid,
    clientId,
    sub: 'user-1',
    jti: randomUUID(),
    uri: `https://${clientId}.example/bcl`,
    alg: 'RS256',
  };
}

export function deliveryStoreContract(name: string, open: () => Promise<DeliveryStoreFixture>) {
  describe(`DeliveryStore contract: ${name}`, () => {
    let fixture: DeliveryStoreFixture;
    let store: DeliveryStore;
    let sid: string;

    beforeEach(async () => {
      fixture = await open();
      store = fixture.store;
      // A fresh sid per test keeps the tests independent on a shared database.
      sid = `s-${randomUUID()}`;
    });
    afterEach(() => fixture.close());

    const claimAll = (owner: string, now = T0) => store.claimDue(1000, now, LEASE, owner);
    const mine = <T extends { sid: string }>(rows: T[]) => rows.filter((r) => r.sid === sid);

    it('schedules idempotently: a second schedule of the same pairs inserts nothing and keeps the jti', async () => {
      const first = await store.schedule([newDelivery(sid, 'a'), newDelivery(sid, 'b')], T0);
      expect(first.map((d) => d.clientId).sort()).toEqual(['a', 'b']);
      expect(first[0]).toMatchObject({
        status: 'pending',
        attempts: 0,
        nextAttemptAt: T0,
        lastError: null,
      });
      const again = await store.schedule([newDelivery(sid, 'a'), newDelivery(sid, 'c')], T0 + 5);
      expect(again.map((d) => d.clientId)).toEqual(['c']);
      expect((await store.get({ sid, clientId: 'a' }))?.jti).toBe(
        first.find((d) => d.clientId === 'a')?.jti,
      );
    });

    it('claims each due delivery once while leased, again when the lease runs out', async () => {
      await store.schedule([newDelivery(sid, 'a'), newDelivery(sid, 'b')], T0);
      const one = mine(await claimAll('r1'));
      expect(one).toHaveLength(2);
      expect(mine(await claimAll('r2', T0 + LEASE - 1))).toHaveLength(0);
      expect(
        mine(await claimAll('r2', T0 + LEASE))
          .map((d) => d.clientId)
          .sort(),
      ).toEqual(['a', 'b']);
    });

    it('does not claim deliveries that are not due yet, and reports when the next one is', async () => {
      await store.schedule([newDelivery(sid, 'a')], T0 + 60_000);
      expect(mine(await claimAll('r1'))).toHaveLength(0);
      const next = await store.nextDueAt();
      expect(next).toBeDefined();
      expect(next!).toBeLessThanOrEqual(T0 + 60_000);
    });

    it('concurrent claims of two replicas never share a delivery', async () => {
      await store.schedule(
        Array.from({ length: 40 }, (_, i) => newDelivery(sid, `c${i}`)),
        T0,
      );
      const [x, y] = await Promise.all([
        store.claimDue(25, T0, LEASE, 'r1'),
        store.claimDue(25, T0, LEASE, 'r2'),
      ]);
      const ids = [...mine(x), ...mine(y)].map((d) => d.clientId);
      expect(new Set(ids).size).toBe(ids.length);
    });

    it('records delivered, retry and dead-letter transitions only for the lease holder', async () => {
      await store.schedule(
        ['a', 'b', 'c'].map((c) => newDelivery(sid, c)),
        T0,
      );
      await claimAll('r1');
      const applied = await store.record(
        [
          { sid, clientId: 'a', transition: { kind: 'delivered', attempt: 1, status: 200 } },
          {
            sid,
            clientId: 'b',
            transition: { kind: 'retry', attempt: 1, error: 'HTTP 503', nextAttemptAt: T0 + 500 },
          },
          {
            sid,
            clientId: 'c',
            transition: { kind: 'dead_lettered', attempt: 1, error: 'timeout' },
          },
        ],
        T0 + 10,
        'r1',
      );
      expect(applied).toBe(3);
      expect(await store.get({ sid, clientId: 'a' })).toMatchObject({
        status: 'delivered',
        attempts: 1,
      });
      expect(await store.get({ sid, clientId: 'b' })).toMatchObject({
        status: 'pending',
        attempts: 1,
        nextAttemptAt: T0 + 500,
        lastError: 'HTTP 503',
      });
      expect(await store.get({ sid, clientId: 'c' })).toMatchObject({
        status: 'dead_lettered',
        lastError: 'timeout',
      });
      // The retry is free to claim when due (its lease was cleared), a stale owner cannot record.
      expect(mine(await claimAll('r2', T0 + 500)).map((d) => d.clientId)).toEqual(['b']);
      expect(
        await store.record(
          [{ sid, clientId: 'b', transition: { kind: 'delivered', attempt: 2, status: 200 } }],
          T0 + 600,
          'r1',
        ),
      ).toBe(0);
    });

    it('counts pending and dead-lettered deliveries, never delivered ones', async () => {
      // Other tests' rows may share the database: compare with the counts before.
      const before = await store.counts();
      await store.schedule(
        ['a', 'b', 'c'].map((c) => newDelivery(sid, c)),
        T0,
      );
      expect(await store.counts()).toEqual({
        pending: before.pending + 3,
        deadLettered: before.deadLettered,
      });
      await claimAll('r1');
      await store.record(
        [
          { sid, clientId: 'a', transition: { kind: 'delivered', attempt: 1, status: 200 } },
          { sid, clientId: 'b', transition: { kind: 'dead_lettered', attempt: 1, error: 'x' } },
        ],
        T0 + 10,
        'r1',
      );
      expect(await store.counts()).toEqual({
        pending: before.pending + 1,
        deadLettered: before.deadLettered + 1,
      });
    });

    it('prunes delivered rows older than the cut-off, never pending or dead-lettered ones', async () => {
      await store.schedule(
        ['old', 'recent', 'dead', 'pending'].map((c) => newDelivery(sid, c)),
        T0,
      );
      await claimAll('r1');
      const delivered = { kind: 'delivered', attempt: 1, status: 200 } as const;
      await store.record([{ sid, clientId: 'old', transition: delivered }], T0 + 10, 'r1');
      await store.record([{ sid, clientId: 'recent', transition: delivered }], T0 + 20, 'r1');
      await store.record(
        [{ sid, clientId: 'dead', transition: { kind: 'dead_lettered', attempt: 1, error: 'x' } }],
        T0 + 10,
        'r1',
      );
      expect(await store.pruneDelivered(T0 + 15, 0)).toBe(0);
      // Other tests' rows may share the database: count at least ours.
      expect(await store.pruneDelivered(T0 + 15, 1000)).toBeGreaterThanOrEqual(1);
      expect(await store.get({ sid, clientId: 'old' })).toBeUndefined();
      for (const clientId of ['recent', 'dead', 'pending'])
        expect(await store.get({ sid, clientId })).toBeDefined();
    });

    it('release gives a delivery back without counting an attempt', async () => {
      await store.schedule([newDelivery(sid, 'a')], T0);
      await claimAll('r1');
      await store.release([{ sid, clientId: 'a' }], T0 + 100, 'r1');
      expect(await store.get({ sid, clientId: 'a' })).toMatchObject({
        attempts: 0,
        nextAttemptAt: T0 + 100,
      });
      expect(mine(await claimAll('r2', T0 + 100))).toHaveLength(1);
    });

    it('lists dead letters in (sid, client) order with keyset paging, and retries one with the same jti', async () => {
      const scheduled = await store.schedule(
        ['b', 'a', 'c'].map((c) => newDelivery(sid, c)),
        T0,
      );
      await claimAll('r1');
      await store.record(
        ['a', 'b', 'c'].map((clientId) => ({
          sid,
          clientId,
          transition: { kind: 'dead_lettered' as const, attempt: 3, error: 'HTTP 500' },
        })),
        T0,
        'r1',
      );
      const page1 = mine(await store.deadLetters({ limit: 1000 }));
      expect(page1.map((d) => d.clientId)).toEqual(['a', 'b', 'c']);
      const page2 = await store.deadLetters({ limit: 2, after: { sid, clientId: 'a' } });
      expect(page2.map((d) => [d.sid, d.clientId])).toEqual([
        [sid, 'b'],
        [sid, 'c'],
      ]);

      const retried = await store.retry({ sid, clientId: 'b' }, T0 + 1000);
      expect(retried.kind).toBe('requeued');
      const b = await store.get({ sid, clientId: 'b' });
      expect(b).toMatchObject({
        status: 'pending',
        attempts: 0,
        nextAttemptAt: T0 + 1000,
        lastError: null,
      });
      expect(b?.jti).toBe(scheduled.find((d) => d.clientId === 'b')?.jti);
      expect((await store.retry({ sid, clientId: 'b' }, T0)).kind).toBe('not_dead_lettered');
      expect((await store.retry({ sid, clientId: 'nobody' }, T0)).kind).toBe('not_found');
    });

    it('keeps every pending delivery across a restart (reopen)', async () => {
      await store.schedule([newDelivery(sid, 'a'), newDelivery(sid, 'b')], T0);
      await claimAll('dead-replica');
      const reopened = await fixture.reopen();
      // The dead replica's lease still holds, then runs out: nothing is lost.
      expect(mine(await reopened.claimDue(10, T0 + 1, LEASE, 'new'))).toHaveLength(0);
      expect(mine(await reopened.claimDue(10, T0 + LEASE, LEASE, 'new'))).toHaveLength(2);
    });
  });
}
