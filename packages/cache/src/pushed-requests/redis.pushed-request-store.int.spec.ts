import { randomUUID } from '@idp/crypto';
import { pushedRequestStoreContract } from '@idp/testing';
import { createRedisPushedRequestStore } from './redis.pushed-request-store';
import { redisTestRun } from '../redis-test-run.fixtures';

const run = redisTestRun('par', randomUUID());

pushedRequestStoreContract('RedisPushedRequestStore', async () => {
  const keyPrefix = run.nextPrefix();
  const stores = [
    await createRedisPushedRequestStore({ url: run.url, keyPrefix, logger: run.silent }),
    await createRedisPushedRequestStore({ url: run.url, keyPrefix, logger: run.silent }),
  ] as const;
  return {
    stores,
    cleanup: async () => {
      await Promise.all(stores.map((s) => s.close()));
      await run.deleteKeys(keyPrefix);
    },
  };
});

describe('RedisPushedRequestStore', () => {
  it('sets an expiry on every entry, so an abandoned push never stays', async () => {
    const keyPrefix = `${run.runPrefix}ttl:`;
    const store = await createRedisPushedRequestStore({
      url: run.url,
      keyPrefix,
      logger: run.silent,
    });
    try {
      await store.save('h', { clientId: 'app', request: '{}' }, 60_000);
      const ttl = await run.admin().pttl(`${keyPrefix}h`);
      expect(ttl).toBeGreaterThan(50_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
    } finally {
      await store.close();
    }
  });
});
