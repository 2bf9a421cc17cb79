import { CacheUnavailableError, type ReadModelCache } from '@idp/cache';
import { LONG_TTL_MS, type ContractContext } from './support';

/** Multi-megabyte values and unicode keys; ready() and close(). */
export function valuesAndLifecycleCases(ctx: ContractContext): void {
  let cache!: ReadModelCache;
  beforeEach(() => {
    cache = ctx.cache();
  });

  describe('large values and unicode', () => {
    const large = '€🔑ключ鍵x'.repeat(150_000); // ~1.35 M UTF-16 units, ~3.2 MB of UTF-8

    it('round-trips a multi-megabyte value through every read and write', async () => {
      await cache.set('large', large);
      expect(await cache.get('large')).toBe(large);
      expect(await cache.mget(['large', 'missing'])).toEqual([large, null]);
      expect(await cache.setIfAbsent('large2', large, LONG_TTL_MS)).toBe(true);
      await cache.setMany([{ key: 'large3', value: large }]);
      expect(await cache.mget(['large2', 'large3'])).toEqual([large, large]);
      expect(await cache.delete('large', 'large2', 'large3')).toBe(3);
    });

    it('unicode keys work and are distinct by code point (no normalisation)', async () => {
      const nfc = 'caf\u00e9';
      const nfd = 'cafe\u0301';
      const keys = [nfc, nfd, '🔑', 'ключ', '鍵', 'a\u0000b', 'ℌ', '\u{1F600}:\u{10FFFF}'];
      for (const [i, key] of keys.entries()) await cache.set(key, `v${i}`);
      expect(await cache.mget(keys)).toEqual(keys.map((_, i) => `v${i}`));
      expect(await cache.get(nfc)).toBe('v0');
      expect(await cache.get(nfd)).toBe('v1');
      expect(await cache.setIfAbsent('🔑', 'other')).toBe(false);
      expect(await cache.ttlMs('ключ')).toBe(-1);
      expect(await cache.delete(nfd)).toBe(1);
      expect(await cache.get(nfc)).toBe('v0');
    });
  });

  describe('lifecycle', () => {
    it('ready() is true while the store answers', async () => {
      expect(await cache.ready()).toBe(true);
    });

    it('after close(), ready() is false and every call rejects; close is idempotent', async () => {
      await cache.set('k', 'v');
      await cache.close();
      await cache.close();
      expect(await cache.ready()).toBe(false);
      const calls: Array<() => Promise<unknown>> = [
        () => cache.get('k'),
        () => cache.mget(['k']),
        () => cache.set('k', 'v'),
        () => cache.setMany([{ key: 'k', value: 'v' }]),
        () => cache.setIfAbsent('k', 'v'),
        () => cache.delete('k'),
        () => cache.ttlMs('k'),
      ];
      for (const call of calls) await expect(call()).rejects.toBeInstanceOf(CacheUnavailableError);
    });
  });
}
