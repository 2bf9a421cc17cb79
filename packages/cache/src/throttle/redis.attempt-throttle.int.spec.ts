import { randomUUID } from '@idp/crypto';
import { attemptThrottleContract } from '@idp/testing';
import { createRedisAttemptThrottle } from './redis.attempt-throttle';
import { redisTestRun } from '../redis-test-run.fixtures';

const run = redisTestRun('throttle', randomUUID());

attemptThrottleContract('RedisAttemptThrottle', async () => {
  const prefix = run.nextPrefix();
  const throttle = await createRedisAttemptThrottle({
    url: run.url,
    keyPrefix: prefix,
    logger: run.silent,
  });
  return {
    throttle,
    cleanup: async () => {
      await throttle.close();
      await run.deleteKeys(prefix);
    },
  };
});
