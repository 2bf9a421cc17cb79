import { Redis } from 'ioredis';

/** What an int spec of a Redis adapter works with (see redisTestRun). */
export interface RedisTestRun {
  /** The test Redis: REDIS_URL, or the local one. */
  readonly url: string;
  /** Every key of this run lives under it (unique per run, so parallel runs never meet). */
  readonly runPrefix: string;
  /** The adapters' logger: their warnings are what the specs provoke, not news. */
  readonly silent: { warn(): undefined };
  /** A fresh key prefix inside the run: one per contract fixture. */
  nextPrefix(): string;
  /** Deletes every key under `prefix` (a fixture's clean-up). */
  deleteKeys(prefix: string): Promise<void>;
  /** A plain connection for looking at the keys themselves (open between beforeAll and afterAll). */
  admin(): Redis;
}

/**
 * The preamble every Redis adapter's int spec shares: the admin connection
 * is opened before the spec's tests and, after them, deletes whatever the run
 * left under its prefix and closes. `name` tells the specs' keys apart, `runId`
 * (a random UUID) the runs'; the spec draws it, as randomness comes from
 * @idp/crypto, which this package does not depend on. Call it at the top
 * level of the spec file.
 */
export function redisTestRun(name: string, runId: string): RedisTestRun {
  const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const runPrefix = `idp-test:${name}:${runId}:`;
  let admin: Redis | undefined;
  let seq = 0;
  const connected = (): Redis => {
    if (admin === undefined)
      throw new Error('redisTestRun: the admin connection opens in beforeAll');
    return admin;
  };
  const deleteKeys = async (prefix: string): Promise<void> => {
    const keys = await connected().keys(`${prefix}*`);
    if (keys.length) await connected().unlink(...keys);
  };

  beforeAll(async () => {
    admin = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await admin.connect();
  });
  afterAll(async () => {
    await deleteKeys(runPrefix);
    await connected().quit();
  });

  return {
    url,
    runPrefix,
    silent: { warn: () => undefined },
    nextPrefix: () => `${runPrefix}${++seq}:`,
    deleteKeys,
    admin: connected,
  };
}
