import { randomUUID } from '@idp/crypto';
import { replayStoreContract } from '@idp/testing';
import { Redis } from 'ioredis';
import { createRedisReplayStore } from './redis.replay-store';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const RUN_PREFIX = `idp-test:replay:${randomUUID()}:`;
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

replayStoreContract('RedisReplayStore', async () => {
  const keyPrefix = `${RUN_PREFIX}${++seq}:`;
  const stores = [
    await createRedisReplayStore({ url: REDIS_URL, keyPrefix, logger: silent }),
    await createRedisReplayStore({ url: REDIS_URL, keyPrefix, logger: silent }),
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
