import { JwksCache, type JwkSet } from './jwks-cache';

const set = (kid: string): JwkSet => ({ keys: [{ kid }] });

describe('JwksCache', () => {
  let now = 0;
  const options = { freshMs: 5_000, staleMs: 60_000, now: () => now };
  beforeEach(() => {
    now = 1_000_000;
  });

  it('serves a fetched set while fresh, then fetches again', async () => {
    const load = jest.fn().mockResolvedValueOnce(set('a')).mockResolvedValueOnce(set('b'));
    const cache = new JwksCache(load, options);
    expect(await cache.get()).toEqual(set('a'));
    now += 4_999;
    expect(await cache.get()).toEqual(set('a'));
    now += 1;
    expect(await cache.get()).toEqual(set('b'));
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('shares one call between concurrent misses', async () => {
    let resolve!: (v: JwkSet) => void;
    const load = jest.fn(() => new Promise<JwkSet>((r) => (resolve = r)));
    const cache = new JwksCache(load, options);
    const both = Promise.all([cache.get(), cache.get()]);
    resolve(set('a'));
    expect(await both).toEqual([set('a'), set('a')]);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('serves the last set while the source fails, until it is too old', async () => {
    const down = new Error('unavailable');
    const load = jest.fn().mockResolvedValueOnce(set('a')).mockRejectedValue(down);
    const cache = new JwksCache(load, options);
    await cache.get();
    now += 30_000;
    expect(await cache.get()).toEqual(set('a'));
    now += 30_000;
    await expect(cache.get()).rejects.toBe(down);
  });

  it('does not cache a failure', async () => {
    const load = jest.fn().mockRejectedValueOnce(new Error('x')).mockResolvedValueOnce(set('a'));
    const cache = new JwksCache(load, options);
    await expect(cache.get()).rejects.toThrow('x');
    expect(await cache.get()).toEqual(set('a'));
  });
});
