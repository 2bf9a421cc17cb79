import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { SessionClientJoined, uuidv7, freshEventMeta } from '@idp/contracts';
import { isStorageFault } from '@idp/oauth-errors';
import { createEventStore } from './create-event-store';
import { guardedPgOptions } from './sql/connection-guard';
import { OutboxRelay } from './outbox-relay';
import type { TypeOrmEventStore } from './typeorm.event-store';

const url = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/idp_test';

async function admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, application_name: 'idp-test-admin' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** What a failover does to this store: every backend it holds dies at once. */
const terminate = (applicationName: string) =>
  admin(async (c) => {
    const r = await c.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
      [applicationName],
    );
    return r.rowCount ?? 0;
  });

/** Waits until a backend named `applicationName` is blocked on a lock: its query is in flight. */
async function waitForBlockedRead(applicationName: string, settled = () => false): Promise<void> {
  for (let i = 0; i < 100 && !settled(); i++) {
    const blocked = await admin(async (c) => {
      const r = await c.query(
        "SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'",
        [applicationName],
      );
      return r.rowCount ?? 0;
    });
    if (blocked > 0) return;
    await sleep(20);
  }
  if (!settled()) throw new Error('the read never blocked');
}

const joined = (stream: string, clientId: string) =>
  SessionClientJoined.create({ sid: stream, clientId }, freshEventMeta('c'));

/**
 * Issue #12: terminating the backends under load killed the process with an
 * unhandled 'error' event, and the next queries failed on released runners.
 * Jest fails a test on any uncaught exception, so the crash shows here; we
 * also count them ourselves to say so plainly.
 */
describe('PostgreSQL event store when its connections are terminated', () => {
  const schema = `es_fault_${randomBytes(6).toString('hex')}`;
  const applicationName = `idp-test-${randomBytes(4).toString('hex')}`;
  /** What pg_stat_activity shows: the schema follows the name when it is not `public`. */
  const shownAs = `${applicationName}/${schema}`;
  let store: TypeOrmEventStore;
  let relay: OutboxRelay;
  const uncaught: unknown[] = [];
  const warnings: string[] = [];
  const logger = { warn: (message: string) => void warnings.push(message) };
  const onUncaught = (err: unknown) => void uncaught.push(err);

  beforeAll(async () => {
    process.on('uncaughtException', onUncaught);
    store = await createEventStore({
      driver: 'postgres',
      url,
      schema,
      poolSize: 6,
      applicationName,
      logger,
    });
    // A publisher that takes its time keeps the lease's transaction idle on its
    // connection: the moment a terminated backend has no query to fail.
    relay = new OutboxRelay(
      store.outbox,
      { publish: () => sleep(15) },
      { sweepIntervalMs: 20, backoff: { initialMs: 20, maxMs: 100 } },
    );
    relay.start();
  });

  afterAll(async () => {
    await relay.stop();
    await store.close();
    await admin((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    process.off('uncaughtException', onUncaught);
  });

  it('never crashes, fails only with storage faults, and serves the next call', async () => {
    const deadline = Date.now() + 4_000;
    const failures: unknown[] = [];
    let terminated = 0;
    let succeeded = 0;
    const worker = async () => {
      const stream = `session-${uuidv7()}`;
      let version = 0;
      while (Date.now() < deadline) {
        try {
          // An explicit expected version: a retried append can never duplicate.
          version = (await store.append(stream, version, [joined(stream, `rp${version}`)]))
            .nextVersion;
          await store.readStream(stream);
          await store.streamsWhere({ streamPrefix: 'session-', field: 'sid', value: stream });
          succeeded++;
        } catch (err) {
          failures.push(err);
          version = (await store.readStream(stream).catch(() => [])).length || version;
          await sleep(5);
        }
        relay.notify();
      }
    };
    const killer = async () => {
      while (Date.now() < deadline) {
        await sleep(150);
        terminated += await terminate(shownAs);
      }
    };
    await Promise.all([...Array.from({ length: 8 }, worker), killer()]);

    expect(terminated).toBeGreaterThan(0);
    expect(uncaught).toEqual([]);
    expect(warnings.some((w) => w.includes('57P01'))).toBe(true);
    expect(succeeded).toBeGreaterThan(0);
    const unclassified = failures.filter((e) => !isStorageFault(e));
    expect(unclassified.map(String)).toEqual([]);

    // The pool replaced every dead connection: the next calls simply work.
    const stream = `session-${uuidv7()}`;
    await expect(store.append(stream, 0, [joined(stream, 'after')])).resolves.toMatchObject({
      nextVersion: 1,
    });
    await expect(store.readStream(stream)).resolves.toHaveLength(1);
    await expect(relay.flush(10_000)).resolves.toBeUndefined();
  }, 30_000);

  it('retries a read once on a fresh connection when its connection was terminated under it', async () => {
    const stream = `session-${uuidv7()}`;
    await store.append(stream, 0, [joined(stream, 'rp')]);
    await relay.stop();
    // A table lock holds the read in flight, so its backend dies under it (57P01).
    const locker = new Client({ connectionString: url, application_name: 'idp-test-locker' });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query(`LOCK TABLE "${schema}".events IN ACCESS EXCLUSIVE MODE`);
      let settled = false;
      const read = store.readStream(stream);
      void read.finally(() => (settled = true)).catch(() => undefined);
      await waitForBlockedRead(shownAs);
      expect(await terminate(shownAs)).toBeGreaterThan(0);
      await waitForBlockedRead(shownAs, () => settled); // the retry, on a fresh connection
      await locker.query('COMMIT');
      await expect(read).resolves.toHaveLength(1);
    } finally {
      await locker.end();
    }
    expect(uncaught).toEqual([]);
    expect(warnings).toContainEqual(
      expect.stringContaining('read lost its connection, retrying once'),
    );
  });

  it('keeps an error listener on a client that nobody else listens to (the crash of issue #12)', async () => {
    // pg-pool drops its listener when it hands a client out and TypeORM adds its
    // own only later; a FATAL arriving in between found no listener at all.
    const name = `${applicationName}-bare`;
    const { Client: Guarded } = guardedPgOptions(name, logger);
    const client = new Guarded({ connectionString: url, application_name: name });
    await client.connect();
    const ended = new Promise((resolve) => client.once('end', resolve));
    expect(await terminate(name)).toBe(1);
    await ended;
    expect(uncaught).toEqual([]);
    expect(warnings).toContainEqual(expect.stringContaining(`connection lost (${name})`));
  });

  it('writes an append whose transaction lost its connection once, after proving it absent', async () => {
    const stream = `session-${uuidv7()}`;
    await admin((c) =>
      c.query(`CREATE FUNCTION "${schema}".slow_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.key = '${stream}' THEN PERFORM pg_sleep(0.5); END IF; RETURN NEW; END $$`),
    );
    await admin((c) =>
      c.query(`CREATE TRIGGER slow_outbox BEFORE INSERT ON "${schema}".outbox
        FOR EACH ROW EXECUTE FUNCTION "${schema}".slow_outbox()`),
    );
    try {
      const append = store.append(stream, 0, [joined(stream, 'rp')]);
      // Kill the transaction while it sits in the trigger, before COMMIT.
      await sleep(250);
      expect(await terminate(shownAs)).toBeGreaterThan(0);
      await expect(append).resolves.toMatchObject({ nextVersion: 1 });
      expect(await store.readStream(stream)).toHaveLength(1);
      expect(warnings.some((w) => w.includes('57P01'))).toBe(true);
    } finally {
      await admin((c) => c.query(`DROP TRIGGER slow_outbox ON "${schema}".outbox`));
    }
  });
});
