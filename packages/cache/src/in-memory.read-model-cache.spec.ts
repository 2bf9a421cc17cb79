import { readModelCacheContract } from '@idp/testing';
import type { CacheLogger } from './cache-errors';
import {
  InMemoryCacheInvalidations,
  InMemoryInvalidationHub,
} from './in-memory.cache-invalidations';
import { InMemoryReadModelCache } from './in-memory.read-model-cache';

const silent: CacheLogger = { warn: () => undefined };

/** A clock the test moves by hand, so TTL tests never sleep. */
function manualClock(start = 1_700_000_000_000) {
  let now = start;
  return { now: () => now, advance: async (ms: number) => void (now += ms) };
}

readModelCacheContract('InMemoryReadModelCache', async () => {
  const clock = manualClock();
  const cache = new InMemoryReadModelCache({ now: clock.now });
  const hub = new InMemoryInvalidationHub();
  return {
    cache,
    advance: clock.advance,
    invalidations: async () => new InMemoryCacheInvalidations(hub, { logger: silent }),
    cleanup: () => cache.close(),
  };
});

describe('InMemoryReadModelCache (adapter specifics)', () => {
  it('expires exactly at the TTL: alive 1 ms before, gone at it', async () => {
    const clock = manualClock();
    const cache = new InMemoryReadModelCache({ now: clock.now, sweepIntervalMs: 0 });
    await cache.set('k', 'v', 1_000);
    await clock.advance(999);
    expect(await cache.get('k')).toBe('v');
    expect(await cache.ttlMs('k')).toBe(1);
    await clock.advance(1);
    expect(await cache.get('k')).toBeNull();
    await cache.close();
  });

  it('rounds a fractional TTL up to whole ms', async () => {
    const clock = manualClock();
    const cache = new InMemoryReadModelCache({ now: clock.now, sweepIntervalMs: 0 });
    await cache.set('k', 'v', 0.2);
    expect(await cache.ttlMs('k')).toBe(1);
    await cache.close();
  });

  it('sweep() drops expired entries nobody reads, and keeps live ones', async () => {
    const clock = manualClock();
    const cache = new InMemoryReadModelCache({ now: clock.now, sweepIntervalMs: 0 });
    await cache.setMany([
      { key: 'short1', value: 'v', ttlMs: 100 },
      { key: 'short2', value: 'v', ttlMs: 100 },
      { key: 'long', value: 'v', ttlMs: 10_000 },
      { key: 'forever', value: 'v' },
    ]);
    await clock.advance(100);
    expect(cache.storedEntries).toBe(4);
    expect(cache.sweep()).toBe(2);
    expect(cache.storedEntries).toBe(2);
    expect(await cache.mget(['long', 'forever'])).toEqual(['v', 'v']);
    await cache.close();
  });

  describe('periodic sweep', () => {
    afterEach(() => jest.useRealTimers());

    it('runs on its interval, on an unref timer, and stops at close()', async () => {
      jest.useFakeTimers();
      const clock = manualClock();
      const cache = new InMemoryReadModelCache({ now: clock.now, sweepIntervalMs: 1_000 });
      const sweep = jest.spyOn(cache, 'sweep');
      await cache.set('k', 'v', 10);
      await clock.advance(10);

      jest.advanceTimersByTime(1_000);
      expect(sweep).toHaveBeenCalledTimes(1);
      expect(cache.storedEntries).toBe(0);

      await cache.close();
      jest.advanceTimersByTime(5_000);
      expect(sweep).toHaveBeenCalledTimes(1);
    });

    it('does not keep the process alive', () => {
      const setIntervalSpy = jest.spyOn(global, 'setInterval');
      const cache = new InMemoryReadModelCache({ sweepIntervalMs: 1_000 });
      const timer = setIntervalSpy.mock.results[0]?.value as NodeJS.Timeout;
      expect(timer.hasRef()).toBe(false);
      setIntervalSpy.mockRestore();
      void cache.close();
    });
  });

  it('close() empties the map, so a closed cache holds no token state', async () => {
    const cache = new InMemoryReadModelCache({ sweepIntervalMs: 0 });
    await cache.set('k', 'v');
    await cache.close();
    expect(cache.storedEntries).toBe(0);
  });
});

describe('InMemoryCacheInvalidations (adapter specifics)', () => {
  it('delivers before publish resolves (stronger than Redis; not part of the contract)', async () => {
    const bus = new InMemoryCacheInvalidations(undefined, { logger: silent });
    const heard: string[] = [];
    await bus.subscribe('c', (m) => heard.push(m));
    await bus.publish('c', 'm');
    expect(heard).toEqual(['m']);
    await bus.close();
  });

  it('logs a failing handler by channel and error only, never the message', async () => {
    const warnings: string[] = [];
    const bus = new InMemoryCacheInvalidations(undefined, {
      logger: { warn: (w) => warnings.push(w) },
    });
    await bus.subscribe('tokens', () => {
      throw new Error('boom');
    });
    await bus.subscribe('tokens', async () => {
      throw new Error('async boom');
    });
    await bus.publish('tokens', 'secret-token-hash');
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings).toHaveLength(2);
    expect(warnings.join('\n')).toContain('tokens');
    expect(warnings.join('\n')).not.toContain('secret-token-hash');
    await bus.close();
  });

  it('closing one connection leaves the others on the hub subscribed', async () => {
    const hub = new InMemoryInvalidationHub();
    const [a, b] = [new InMemoryCacheInvalidations(hub), new InMemoryCacheInvalidations(hub)];
    const heard: string[] = [];
    await a.subscribe('c', () => heard.push('a'));
    await b.subscribe('c', () => heard.push('b'));
    await a.close();
    await b.publish('c', 'm');
    expect(heard).toEqual(['b']);
    await b.close();
  });
});
