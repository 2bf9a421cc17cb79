import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createDeliveryStore } from './create-delivery-store';
import type { SqlDeliveryStore } from './sql.delivery-store';

const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/idp_test';

async function admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, application_name: 'idp-test-admin' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Issue #12: the delivery queue's connections die in a failover like the
 * event store's. The process must not crash and its reads must come back
 * on a fresh connection by themselves.
 */
describe('PostgreSQL delivery store when its connections are terminated', () => {
  const schema = `bcl_fault_${randomBytes(4).toString('hex')}`;
  const applicationName = `idp-test-${randomBytes(4).toString('hex')}`;
  const shownAs = `${applicationName}/${schema}`;
  const warnings: string[] = [];
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown) => void uncaught.push(err);
  let store: SqlDeliveryStore;

  const terminate = () =>
    admin(async (c) => {
      const r = await c.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
        [shownAs],
      );
      return r.rowCount ?? 0;
    });

  beforeAll(async () => {
    process.on('uncaughtException', onUncaught);
    store = await createDeliveryStore({
      driver: 'postgres',
      url,
      schema,
      applicationName,
      logger: { warn: (message) => void warnings.push(message) },
    });
  });

  afterAll(async () => {
    await store.close();
    await admin((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    process.off('uncaughtException', onUncaught);
  });

  /** Waits until a backend of the store is blocked on a lock: its read is in flight. */
  const waitForBlockedRead = async (settled = () => false) => {
    for (let i = 0; i < 100 && !settled(); i++) {
      const blocked = await admin(async (c) => {
        const r = await c.query(
          "SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'",
          [shownAs],
        );
        return r.rowCount ?? 0;
      });
      if (blocked > 0) return;
      await sleep(20);
    }
    if (!settled()) throw new Error('the read never blocked');
  };

  it('repeats a read whose connection was terminated under it on a fresh one, without an unhandled error', async () => {
    const sid = `s-${randomUUID()}`;
    const now = Date.now();
    await store.schedule(
      [
        {
          sid,
          clientId: 'rp',
          sub: 'u',
          jti: randomUUID(),
          uri: 'https://rp.example/bcl',
          alg: 'RS256',
        },
      ],
      now,
    );
    // A table lock holds the read in flight, so its backend dies under it (57P01).
    const locker = new Client({ connectionString: url, application_name: 'idp-test-locker' });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query(`LOCK TABLE "${schema}".backchannel_deliveries IN ACCESS EXCLUSIVE MODE`);
      let settled = false;
      const read = store.get({ sid, clientId: 'rp' });
      void read.finally(() => (settled = true)).catch(() => undefined);
      await waitForBlockedRead();
      expect(await terminate()).toBeGreaterThan(0);
      await waitForBlockedRead(() => settled); // the retry, on a fresh connection
      await locker.query('COMMIT');
      await expect(read).resolves.toMatchObject({ status: 'pending' });
    } finally {
      await locker.end();
    }
    // And the pool serves the next reads as if nothing happened.
    await expect(store.nextDueAt()).resolves.toBe(now);
    await expect(store.deadLetters({ limit: 10 })).resolves.toEqual([]);
    expect(uncaught).toEqual([]);
    expect(warnings.some((w) => w.includes('57P01'))).toBe(true);
    expect(warnings).toContainEqual(
      expect.stringContaining('read lost its connection, retrying once'),
    );
  });
});
