import { randomUUID } from '@idp/crypto';
import { sharedCounterContract } from '@idp/testing';
import { createRedisSharedCounter } from './redis.shared-counter';
import { redisTestRun } from '../redis-test-run.fixtures';

const run = redisTestRun('counter', randomUUID());

sharedCounterContract('RedisSharedCounter', async () => {
  const keyPrefix = run.nextPrefix();
  const counters = [
    await createRedisSharedCounter({ url: run.url, keyPrefix, logger: run.silent }),
    await createRedisSharedCounter({ url: run.url, keyPrefix, logger: run.silent }),
  ] as const;
  return {
    counters,
    cleanup: async () => {
      await Promise.all(counters.map((c) => c.close()));
      await run.deleteKeys(keyPrefix);
    },
  };
});
