import type { ReadModelCache } from '@idp/cache';
import { LONG_TTL_MS, PAST_SHORT_TTL_MS, SHORT_TTL_MS, type ContractContext } from './support';

/** setIfAbsent (one winner, claims that lapse) and setMany (batches, each entry with its own TTL). */
export function conditionalAndBatchWriteCases(ctx: ContractContext): void {
  const advance = ctx.advance;
  let cache!: ReadModelCache;
  beforeEach(() => {
    cache = ctx.cache();
  });

  describe('setIfAbsent', () => {
    it('stores only the first value', async () => {
      expect(await cache.setIfAbsent('once', 'first')).toBe(true);
      expect(await cache.setIfAbsent('once', 'second')).toBe(false);
      expect(await cache.get('once')).toBe('first');
      expect(await cache.ttlMs('once')).toBe(-1);
    });

    it('with a TTL the claim lapses and the key can be claimed again', async () => {
      expect(await cache.setIfAbsent('claim', 'a', SHORT_TTL_MS)).toBe(true);
      expect(await cache.ttlMs('claim')).toBeGreaterThan(0);
      expect(await cache.setIfAbsent('claim', 'b', SHORT_TTL_MS)).toBe(false);
      await advance(PAST_SHORT_TTL_MS);
      expect(await cache.setIfAbsent('claim', 'c')).toBe(true);
      expect(await cache.get('claim')).toBe('c');
    });

    it('a losing claim does not change the winner value or TTL', async () => {
      await cache.setIfAbsent('k', 'winner');
      expect(await cache.setIfAbsent('k', 'loser', SHORT_TTL_MS)).toBe(false);
      expect(await cache.ttlMs('k')).toBe(-1);
      await advance(PAST_SHORT_TTL_MS);
      expect(await cache.get('k')).toBe('winner');
    });

    it('ttlMs <= 0 stores nothing, answers false and leaves an existing key alone', async () => {
      await cache.set('k', 'a');
      expect(await cache.setIfAbsent('k', 'b', 0)).toBe(false);
      expect(await cache.get('k')).toBe('a');
      expect(await cache.setIfAbsent('absent', 'b', -5)).toBe(false);
      expect(await cache.get('absent')).toBeNull();
    });

    it('of many concurrent claims exactly one wins', async () => {
      const claims = await Promise.all(
        Array.from({ length: 25 }, (_, i) => cache.setIfAbsent('race', `c${i}`)),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await cache.get('race')).toBe(`c${claims.indexOf(true)}`);
    });
  });

  describe('setMany', () => {
    it('writes every entry with its own TTL', async () => {
      await cache.setMany([
        { key: 'a', value: '1' },
        { key: 'b', value: '2', ttlMs: LONG_TTL_MS },
        { key: 'c', value: '3', ttlMs: SHORT_TTL_MS },
      ]);
      expect(await cache.mget(['a', 'b', 'c'])).toEqual(['1', '2', '3']);
      expect(await cache.ttlMs('a')).toBe(-1);
      expect(await cache.ttlMs('b')).toBeGreaterThan(LONG_TTL_MS - 5_000);
      await advance(PAST_SHORT_TTL_MS);
      expect(await cache.mget(['a', 'b', 'c'])).toEqual(['1', '2', null]);
    });

    it('applies entries in order: the last write to a key wins', async () => {
      await cache.setMany([
        { key: 'k', value: '1' },
        { key: 'k', value: '2' },
      ]);
      expect(await cache.get('k')).toBe('2');
      await cache.setMany([
        { key: 'k', value: '3' },
        { key: 'k', value: 'gone', ttlMs: 0 },
      ]);
      expect(await cache.get('k')).toBeNull();
    });

    it('an entry with ttlMs <= 0 deletes its key; the others are written', async () => {
      await cache.set('d', 'old');
      await cache.setMany([
        { key: 'd', value: 'ignored', ttlMs: 0 },
        { key: 'e', value: 'new' },
      ]);
      expect(await cache.mget(['d', 'e'])).toEqual([null, 'new']);
    });

    it('an empty batch is a no-op', async () => {
      await cache.set('k', 'v');
      await cache.setMany([]);
      expect(await cache.get('k')).toBe('v');
    });

    it('handles a batch of a thousand entries', async () => {
      const entries = Array.from({ length: 1_000 }, (_, i) => ({
        key: `bulk:${i}`,
        value: `v${i}`,
        ttlMs: LONG_TTL_MS,
      }));
      await cache.setMany(entries);
      expect(await cache.mget(entries.map((e) => e.key))).toEqual(entries.map((e) => e.value));
    });
  });
}
