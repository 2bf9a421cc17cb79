import type { ReadModelCache } from '@idp/cache';
import type { ContractContext } from './support';

/** Plain reads, writes and deletes: values and keys kept exactly, answers kept with their calls. */
export function readWriteCases(ctx: ContractContext): void {
  let cache!: ReadModelCache;
  beforeEach(() => {
    cache = ctx.cache();
  });

  describe('reads and writes', () => {
    it('get answers null for a key never written', async () => {
      expect(await cache.get('never-written')).toBeNull();
    });

    it('set then get returns the value; a second set overwrites it', async () => {
      await cache.set('k', 'v1');
      expect(await cache.get('k')).toBe('v1');
      await cache.set('k', 'v2');
      expect(await cache.get('k')).toBe('v2');
    });

    it('an empty string is a value, not absence', async () => {
      await cache.set('empty', '');
      expect(await cache.get('empty')).toBe('');
      expect(await cache.mget(['empty'])).toEqual(['']);
      expect(await cache.ttlMs('empty')).toBe(-1);
    });

    it('keeps control characters, CRLF and NUL byte for byte', async () => {
      const value = 'a\r\nb\u0000c\t"q"\\ \n$-1\r\n*2';
      await cache.set('binaryish', value);
      expect(await cache.get('binaryish')).toBe(value);
    });

    it('mget answers in the order asked, null for missing, repeats included', async () => {
      await cache.set('a', '1');
      await cache.set('b', '2');
      expect(await cache.mget(['b', 'missing', 'a', 'b'])).toEqual(['2', null, '1', '2']);
    });

    it('mget of no keys is empty', async () => {
      expect(await cache.mget([])).toEqual([]);
    });

    it('delete reports how many of the keys existed and removes them', async () => {
      await cache.set('a', '1');
      await cache.set('b', '2');
      expect(await cache.delete('a', 'b', 'missing')).toBe(2);
      expect(await cache.mget(['a', 'b'])).toEqual([null, null]);
      expect(await cache.delete('a')).toBe(0);
      expect(await cache.delete()).toBe(0);
    });

    it('delete counts a repeated key once', async () => {
      await cache.set('a', '1');
      expect(await cache.delete('a', 'a')).toBe(1);
    });

    it('keys are opaque: separators, spaces and glob characters never collide', async () => {
      const keys = ['a:b', 'a:b ', 'a*', 'a?', '[a]', 'a', ' a', 'A'];
      for (const [i, key] of keys.entries()) await cache.set(key, `v${i}`);
      expect(await cache.mget(keys)).toEqual(keys.map((_, i) => `v${i}`));
      expect(await cache.delete('a*')).toBe(1);
      expect(await cache.get('a')).toBe(`v${keys.indexOf('a')}`);
      expect(await cache.get('a*')).toBeNull();
    });

    it('keeps each answer with its call under many concurrent operations', async () => {
      const n = 200;
      const keys = Array.from({ length: n }, (_, i) => `concurrent:${i}`);
      await Promise.all(keys.map((key, i) => cache.set(key, `value-${i}`)));
      const singles = await Promise.all(keys.map((key) => cache.get(key)));
      expect(singles).toEqual(keys.map((_, i) => `value-${i}`));
      expect(await cache.mget(keys)).toEqual(singles);
    });
  });
}
