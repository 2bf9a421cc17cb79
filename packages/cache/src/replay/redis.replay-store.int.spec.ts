import { randomUUID } from '@idp/crypto';
import { replayStoreContract } from '@idp/testing';
import { createRedisReplayStore } from './redis.replay-store';
import { redisTestRun } from '../redis-test-run.fixtures';

const run = redisTestRun('replay', randomUUID());

replayStoreContract('RedisReplayStore', async () => {
  const keyPrefix = run.nextPrefix();
  const stores = [
    await createRedisReplayStore({ url: run.url, keyPrefix, logger: run.silent }),
    await createRedisReplayStore({ url: run.url, keyPrefix, logger: run.silent }),
  ] as const;
  return {
    stores,
    cleanup: async () => {
      await Promise.all(stores.map((s) => s.close()));
      await run.deleteKeys(keyPrefix);
    },
  };
});
