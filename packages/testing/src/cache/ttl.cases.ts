import type { ReadModelCache } from '@idp/cache';
import { LONG_TTL_MS, PAST_SHORT_TTL_MS, SHORT_TTL_MS, type ContractContext } from './support';

/** Expiry: no TTL, a TTL, a TTL replaced or removed, and TTLs that are invalid or already past. */
export function ttlCases(ctx: ContractContext): void {
  const advance = ctx.advance;
  let cache!: ReadModelCache;
  beforeEach(() => {
    cache = ctx.cache();
  });

  describe('TTL', () => {
    it('a key set without a TTL never expires: ttlMs is -1', async () => {
      await cache.set('forever', 'v');
      expect(await cache.ttlMs('forever')).toBe(-1);
      await advance(PAST_SHORT_TTL_MS);
      expect(await cache.get('forever')).toBe('v');
    });

    it('ttlMs is null for a missing key', async () => {
      expect(await cache.ttlMs('missing')).toBeNull();
    });

    it('ttlMs reports the remaining lifetime in ms', async () => {
      await cache.set('k', 'v', LONG_TTL_MS);
      const ttl = await cache.ttlMs('k');
      expect(ttl).toBeGreaterThan(LONG_TTL_MS - 5_000);
      expect(ttl).toBeLessThanOrEqual(LONG_TTL_MS);
    });

    it('a key expires after its TTL for every read and write', async () => {
      await cache.set('short', 'v', SHORT_TTL_MS);
      expect(await cache.get('short')).toBe('v');
      const ttl = await cache.ttlMs('short');
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(SHORT_TTL_MS);

      await advance(PAST_SHORT_TTL_MS);
      expect(await cache.get('short')).toBeNull();
      expect(await cache.mget(['short'])).toEqual([null]);
      expect(await cache.ttlMs('short')).toBeNull();
      expect(await cache.delete('short')).toBe(0);
      expect(await cache.setIfAbsent('short', 'again')).toBe(true);
    });

    it('a set without a TTL removes an earlier expiry (Redis SET semantics)', async () => {
      await cache.set('k', 'v1', SHORT_TTL_MS);
      await cache.set('k', 'v2');
      expect(await cache.ttlMs('k')).toBe(-1);
      await advance(PAST_SHORT_TTL_MS);
      expect(await cache.get('k')).toBe('v2');
    });

    it('a set with a TTL adds an expiry to a key that had none', async () => {
      await cache.set('k', 'v1');
      await cache.set('k', 'v2', SHORT_TTL_MS);
      await advance(PAST_SHORT_TTL_MS);
      expect(await cache.get('k')).toBeNull();
    });

    it('ttlMs <= 0 means already expired: the key is deleted', async () => {
      await cache.set('k', 'v');
      await cache.set('k', 'v2', 0);
      expect(await cache.get('k')).toBeNull();
      expect(await cache.ttlMs('k')).toBeNull();

      await cache.set('k', 'v3');
      await cache.set('k', 'v4', -1_000);
      expect(await cache.get('k')).toBeNull();

      await cache.set('never-there', 'v', -1);
      expect(await cache.get('never-there')).toBeNull();
    });

    it('a fractional TTL is accepted and never shortened', async () => {
      await cache.set('k', 'v', 0.4);
      expect(await cache.ttlMs('k')).not.toBe(-1);
      await cache.set('k2', 'v', LONG_TTL_MS + 0.5);
      expect(await cache.ttlMs('k2')).toBeGreaterThan(LONG_TTL_MS - 5_000);
    });

    it.each([NaN, Infinity, -Infinity])(
      'a TTL of %p rejects with RangeError and writes nothing',
      async (bad) => {
        await expect(cache.set('k', 'v', bad)).rejects.toThrow(RangeError);
        await expect(cache.setIfAbsent('k', 'v', bad)).rejects.toThrow(RangeError);
        await expect(
          cache.setMany([
            { key: 'ok', value: 'v' },
            { key: 'k', value: 'v', ttlMs: bad },
          ]),
        ).rejects.toThrow(RangeError);
        expect(await cache.mget(['k', 'ok'])).toEqual([null, null]);
      },
    );
  });
}
