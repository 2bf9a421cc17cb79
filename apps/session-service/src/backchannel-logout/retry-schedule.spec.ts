import { retryDelayMs } from './retry-schedule';

describe('retryDelayMs', () => {
  const schedule = { baseMs: 100, capMs: 1_000 };

  it('doubles per failure from the base, up to the cap (random = 1: the nominal delay)', () => {
    expect([1, 2, 3, 4, 5, 6, 40].map((n) => retryDelayMs(n, schedule, () => 1))).toEqual([
      100, 200, 400, 800, 1_000, 1_000, 1_000,
    ]);
  });

  it('jitters between half and all of the nominal delay', () => {
    expect(retryDelayMs(3, schedule, () => 0)).toBe(200);
    expect(retryDelayMs(3, schedule, () => 0.5)).toBe(300);
    for (let i = 0; i < 100; i++) {
      const d = retryDelayMs(2, schedule);
      expect(d).toBeGreaterThanOrEqual(100);
      expect(d).toBeLessThanOrEqual(200);
    }
  });

  it('treats attempt 0 like the first failure and never overflows', () => {
    expect(retryDelayMs(0, schedule, () => 1)).toBe(100);
    expect(retryDelayMs(10_000, { baseMs: 1, capMs: 2 ** 40 }, () => 1)).toBe(2 ** 30);
  });
});
