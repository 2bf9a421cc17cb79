import { randomUUID } from '@idp/crypto';
import { pushedRequestStoreContract } from '@idp/testing';
import { Redis } from 'ioredis';
import { createRedisPushedRequestStore } from './redis.pushed-request-store';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const RUN_PREFIX = `idp-test:par:${randomUUID()}:`;
const silent = { warn: () => undefined };
let admin: Redis;
let seq = 0;

beforeAll(async () => {
  admin = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await admin.connect();
});
afterAll(async () => {
  const left = await admin.keys(`${RUN_PREFIX}*`);
  if (left.length) await admin.unlink(...left);
  await admin.quit();
});

pushedRequestStoreContract('RedisPushedRequestStore', async () => {
  const keyPrefix = `${RUN_PREFIX}${++seq}:`;
  const stores = [
    await createRedisPushedRequestStore({ url: REDIS_URL, keyPrefix, logger: silent }),
    await createRedisPushedRequestStore({ url: REDIS_URL, keyPrefix, logger: silent }),
  ] as const;
  return {
    stores,
    cleanup: async () => {
      await Promise.all(stores.map((s) => s.close()));
      const keys = await admin.keys(`${keyPrefix}*`);
      if (keys.length) await admin.unlink(...keys);
    },
  };
});

describe('RedisPushedRequestStore', () => {
  it('sets an expiry on every entry, so an abandoned push never stays', async () => {
    const keyPrefix = `${RUN_PREFIX}ttl:`;
    const store = await createRedisPushedRequestStore({
      url: REDIS_URL,
      keyPrefix,
      logger: silent,
    });
    try {
      await store.save('h', { clientId: 'app', request: '{}' }, 60_000);
      const ttl = await admin.pttl(`${keyPrefix}h`);
      expect(ttl).toBeGreaterThan(50_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
    } finally {
      await store.close();
    }
  });
});
