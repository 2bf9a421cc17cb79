import { backoffDelay } from './backoff';

describe('backoffDelay', () => {
  const options = { initialMs: 100, maxMs: 1_000 };

  it('doubles per consecutive failure up to the cap', () => {
    const nominal = [1, 2, 3, 4, 5, 6, 40, 50].map((n) => backoffDelay(n, options, () => 1));
    expect(nominal).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000, 1_000]);
  });

  it('jitters between half and all of the nominal delay', () => {
    expect(backoffDelay(3, options, () => 0)).toBe(200);
    expect(backoffDelay(3, options, () => 0.5)).toBe(300);
  });

  it('stays within half and all of the nominal delay with Math.random', () => {
    for (let i = 0; i < 100; i++) {
      const delay = backoffDelay(4, options);
      expect(delay).toBeGreaterThanOrEqual(400);
      expect(delay).toBeLessThanOrEqual(800);
    }
    for (let i = 0; i < 100; i++) {
      const d = backoffDelay(2, options);
      expect(d).toBeGreaterThanOrEqual(100);
      expect(d).toBeLessThanOrEqual(200);
    }
  });

  it('treats failure 0 like the first failure and never overflows', () => {
    expect(backoffDelay(0, options, () => 1)).toBe(100);
    expect(backoffDelay(10_000, { initialMs: 1, maxMs: 2 ** 40 }, () => 1)).toBe(2 ** 30);
  });

  it('without jitter is exactly the nominal delay, whatever random says', () => {
    const none = { ...options, jitter: 'none' as const };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, none, () => 0))).toEqual([
      100, 200, 400, 800, 1_000,
    ]);
    expect(backoffDelay(3, { initialMs: 0, maxMs: 0, jitter: 'none' })).toBe(0);
  });
});
