import { backoffDelay } from './backoff';

describe('backoffDelay', () => {
  const options = { initialMs: 100, maxMs: 1_000 };

  it('doubles per consecutive failure up to the cap', () => {
    const nominal = [1, 2, 3, 4, 5, 50].map((n) => backoffDelay(n, options, () => 1));
    expect(nominal).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('jitters between half and all of the nominal delay', () => {
    expect(backoffDelay(3, options, () => 0)).toBe(200);
    expect(backoffDelay(3, options, () => 0.5)).toBe(300);
    for (let i = 0; i < 100; i++) {
      const delay = backoffDelay(4, options);
      expect(delay).toBeGreaterThanOrEqual(400);
      expect(delay).toBeLessThanOrEqual(800);
    }
  });
});
