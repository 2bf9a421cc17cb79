import { randomUUID } from 'node:crypto';
import { attemptThrottleContract } from '@idp/testing';
import { Redis } from 'ioredis';
import { createRedisAttemptThrottle } from './redis.attempt-throttle';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const RUN_PREFIX = `idp-test:throttle:${randomUUID()}:`;
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

attemptThrottleContract('RedisAttemptThrottle', async () => {
  const prefix = `${RUN_PREFIX}${++seq}:`;
  const throttle = await createRedisAttemptThrottle({
    url: REDIS_URL,
    keyPrefix: prefix,
    logger: { warn: () => undefined },
  });
  return {
    throttle,
    cleanup: async () => {
      await throttle.close();
      const keys = await admin.keys(`${prefix}*`);
      if (keys.length) await admin.unlink(...keys);
    },
  };
});
