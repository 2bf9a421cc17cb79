import { InMemorySharedCounter } from './in-memory.shared-counter';
import { RateLimiter, type RateRule } from './rate-limiter';
import type { SharedCounter } from './shared-counter.port';

const RULE: RateRule = { ratePerSecond: 10, capacity: 20 };

function clock(start = 1_700_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

const takeMany = (limiter: RateLimiter, key: string, n: number) =>
  Array.from({ length: n }, () => limiter.take(key, RULE));

describe('RateLimiter', () => {
  it('lets a burst of `capacity` through, then answers the seconds to wait', () => {
    const c = clock();
    const limiter = new RateLimiter(new InMemorySharedCounter(), { syncMs: 0, now: c.now });
    expect(takeMany(limiter, 'k', 20).every((wait) => wait === 0)).toBe(true);
    expect(limiter.take('k', RULE)).toBe(1);
    expect(limiter.take('other', RULE)).toBe(0);
  });

  it('refills at the rate: a client that stays under it is never refused', () => {
    const c = clock();
    const limiter = new RateLimiter(new InMemorySharedCounter(), { syncMs: 0, now: c.now });
    for (let second = 0; second < 60; second++) {
      expect(takeMany(limiter, 'k', 10).every((wait) => wait === 0)).toBe(true);
      c.advance(1_000);
    }
  });

  it('waits longer the deeper the bucket was overdrawn by other replicas', async () => {
    const c = clock();
    const shared = new InMemorySharedCounter({ now: c.now });
    const [a, b] = [0, 1].map(() => new RateLimiter(shared, { syncMs: 0, now: c.now })) as [
      RateLimiter,
      RateLimiter,
    ];
    // Two replicas each let a whole burst through before they exchange counts.
    takeMany(a, 'k', 20);
    takeMany(b, 'k', 20);
    await a.sync();
    await b.sync();
    await a.sync();
    // Each learnt of the other's 20: both are now 20 below empty, i.e. 2 s of refill away from one token.
    expect(a.take('k', RULE)).toBe(3);
    expect(b.take('k', RULE)).toBe(3);
    c.advance(2_100);
    expect(a.take('k', RULE)).toBe(0);
  });

  it('shares one limit among replicas, within one exchange of slack', async () => {
    const c = clock();
    const shared = new InMemorySharedCounter({ now: c.now });
    const replicas = [0, 1, 2].map(() => new RateLimiter(shared, { syncMs: 0, now: c.now }));
    let allowed = 0;
    // 10 s at 3 × 30 req/s offered, exchanging every 100 ms: about 10/s × 10 s + the burst gets through.
    for (let tick = 0; tick < 100; tick++) {
      for (const r of replicas)
        for (let i = 0; i < 3; i++) if (r.take('k', RULE) === 0) allowed += 1;
      await Promise.all(replicas.map((r) => r.sync()));
      c.advance(100);
    }
    expect(allowed).toBeGreaterThanOrEqual(100 + 20 - 10);
    expect(allowed).toBeLessThanOrEqual(100 + 20 + 3 * 3);
  });

  it('keeps deciding locally, and sends the counts later, while the counter is down', async () => {
    const c = clock();
    const store = new InMemorySharedCounter({ now: c.now });
    let down = true;
    const flaky: SharedCounter = {
      add: (entries, ttl) => (down ? Promise.reject(new Error('down')) : store.add(entries, ttl)),
      ready: async () => !down,
      close: async () => undefined,
    };
    const limiter = new RateLimiter(flaky, {
      syncMs: 0,
      now: c.now,
      logger: { warn: () => undefined },
    });
    takeMany(limiter, 'k', 5);
    await limiter.sync();
    expect(limiter.take('k', RULE)).toBe(0);
    down = false;
    await limiter.sync();
    const slot = Math.floor(c.now() / 2_000);
    expect(await store.add([{ key: `k@${slot}`, delta: 0 }], 1_000)).toEqual([6]);
  });

  it('refund() gives one request back, and it is not sent to the other replicas', async () => {
    const c = clock();
    const shared = new InMemorySharedCounter({ now: c.now });
    const limiter = new RateLimiter(shared, { syncMs: 0, now: c.now });
    takeMany(limiter, 'k', 20);
    limiter.refund('k');
    expect(limiter.take('k', RULE)).toBe(0);
    expect(limiter.take('k', RULE)).toBe(1);
    limiter.refund('k');
    await limiter.sync();
    // 21 taken, 2 given back, counted in the key's window (2 s: a burst's refill time).
    const slot = Math.floor(c.now() / 2_000);
    expect(await shared.add([{ key: `k@${slot}`, delta: 0 }], 1_000)).toEqual([19]);
  });

  it('a replica meeting a key late learns what the others took in its window', async () => {
    const c = clock();
    const shared = new InMemorySharedCounter({ now: c.now });
    const a = new RateLimiter(shared, { syncMs: 0, now: c.now });
    takeMany(a, 'k', 20);
    await a.sync();
    const late = new RateLimiter(shared, { syncMs: 0, now: c.now });
    expect(late.take('k', RULE)).toBe(0);
    await late.sync();
    expect(late.take('k', RULE)).toBeGreaterThan(0);
  });

  it('exchanges at once for a new key without losing its bucket', async () => {
    const counter = new InMemorySharedCounter();
    const add = jest.spyOn(counter, 'add');
    const limiter = new RateLimiter(counter, { syncMs: 60_000 });
    expect(limiter.take('k', RULE)).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(add).toHaveBeenCalledTimes(1);
    expect(takeMany(limiter, 'k', 20).filter((wait) => wait > 0)).toHaveLength(1);
    await limiter.close();
  });

  it('forgets idle keys at an exchange, so a scan of random addresses does not pile up', async () => {
    const c = clock();
    const limiter = new RateLimiter(new InMemorySharedCounter({ now: c.now }), {
      syncMs: 0,
      now: c.now,
    });
    for (let i = 0; i < 1_000; i++) limiter.take(`ip-${i}`, RULE);
    await limiter.sync();
    expect(limiter.trackedKeys).toBe(1_000);
    c.advance(1_000);
    await limiter.sync();
    expect(limiter.trackedKeys).toBe(0);
  });
});
