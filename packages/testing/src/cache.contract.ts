import {
  CacheUnavailableError,
  type CacheInvalidations,
  type ReadModelCache,
  type Unsubscribe,
} from '@idp/cache';

/** What one test of the contract gets from an adapter. `make` is called per test. */
export interface ReadModelCacheFixture {
  readonly cache: ReadModelCache;
  /**
   * Lets `ms` pass for TTLs: the in-memory adapter moves its clock; omitted,
   * the suite sleeps for real (Redis, with TTLs of 150 ms).
   */
  readonly advance?: (ms: number) => Promise<void>;
  /**
   * Opens a new invalidations connection, as another replica would (Redis:
   * its own subscriber connection). The suite closes what it opens.
   */
  readonly invalidations: () => Promise<CacheInvalidations>;
  /** Closes the cache (idempotent) and deletes everything this fixture wrote. */
  readonly cleanup: () => Promise<void>;
}

/** Short enough to keep the Redis suite fast, long enough to read back before it lapses. */
const SHORT_TTL_MS = 150;
/** Waiting this long guarantees a SHORT_TTL key is gone, also on a real clock. */
const PAST_SHORT_TTL_MS = SHORT_TTL_MS + 100;
const LONG_TTL_MS = 60_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Behaviour every ReadModelCache adapter (and its CacheInvalidations) must
 * have, so the embedded mode and the distributed mode answer identically.
 */
export function readModelCacheContract(
  name: string,
  make: () => Promise<ReadModelCacheFixture>,
): void {
  describe(`ReadModelCache contract: ${name}`, () => {
    let fixture: ReadModelCacheFixture | undefined;
    let cache: ReadModelCache;
    const advance = (ms: number) => (fixture?.advance ?? sleep)(ms);

    beforeEach(async () => {
      fixture = undefined;
      fixture = await make();
      cache = fixture.cache;
    });

    afterEach(async () => {
      await fixture?.cleanup();
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
        for (const call of calls)
          await expect(call()).rejects.toBeInstanceOf(CacheUnavailableError);
      });
    });

    describe('invalidations', () => {
      let opened: CacheInvalidations[] = [];
      let channelSeq = 0;
      const channel = () => `inv-${++channelSeq}`;
      const open = async () => {
        if (fixture === undefined) throw new Error('fixture not ready');
        const connection = await fixture.invalidations();
        opened.push(connection);
        return connection;
      };

      afterEach(async () => {
        await Promise.all(opened.map((connection) => connection.close()));
        opened = [];
      });

      it('every replica hears every message, in publish order, the publisher too', async () => {
        const [a, b, publisher] = [await open(), await open(), await open()];
        const ch = channel();
        const heardA = recorder();
        const heardB = recorder();
        const heardSelf = recorder();
        await a.subscribe(ch, heardA.handler);
        await b.subscribe(ch, heardB.handler);
        await publisher.subscribe(ch, heardSelf.handler);
        for (const m of ['m1', 'm2', 'm3']) await publisher.publish(ch, m);
        await Promise.all([heardA.waitFor(3), heardB.waitFor(3), heardSelf.waitFor(3)]);
        expect(heardA.messages).toEqual(['m1', 'm2', 'm3']);
        expect(heardB.messages).toEqual(['m1', 'm2', 'm3']);
        expect(heardSelf.messages).toEqual(['m1', 'm2', 'm3']);
      });

      it('delivers messages byte for byte: empty, unicode, large', async () => {
        const [a, b] = [await open(), await open()];
        const ch = channel();
        const heard = recorder();
        await a.subscribe(ch, heard.handler);
        const sent = ['', 'ключ🔑 鍵\r\n\u0000', 'x'.repeat(64 * 1024)];
        for (const m of sent) await b.publish(ch, m);
        await heard.waitFor(sent.length);
        expect(heard.messages).toEqual(sent);
      });

      it('channels are isolated', async () => {
        const [a, b] = [await open(), await open()];
        const [watched, other] = [channel(), channel()];
        const heard = recorder();
        await a.subscribe(watched, heard.handler);
        await b.publish(other, 'not for you');
        await b.publish(watched, 'for you');
        await heard.waitFor(1);
        expect(heard.messages).toEqual(['for you']);
      });

      it('unsubscribe stops delivery to that handler only, and is idempotent', async () => {
        const [a, b] = [await open(), await open()];
        const ch = channel();
        const [first, second, remote] = [recorder(), recorder(), recorder()];
        const unsubscribeFirst: Unsubscribe = await a.subscribe(ch, first.handler);
        await a.subscribe(ch, second.handler);
        await b.subscribe(ch, remote.handler);
        await b.publish(ch, 'm1');
        await Promise.all([first.waitFor(1), second.waitFor(1), remote.waitFor(1)]);

        await unsubscribeFirst();
        await unsubscribeFirst();
        await b.publish(ch, 'm2');
        await Promise.all([second.waitFor(2), remote.waitFor(2)]);
        expect(first.messages).toEqual(['m1']);
        expect(second.messages).toEqual(['m1', 'm2']);
      });

      it('the last unsubscribe on a channel ends delivery; subscribing again resumes it', async () => {
        const [a, b] = [await open(), await open()];
        const ch = channel();
        const [gone, sentinel, back] = [recorder(), recorder(), recorder()];
        const unsubscribe = await a.subscribe(ch, gone.handler);
        await unsubscribe();
        await a.subscribe(`${ch}-sentinel`, sentinel.handler);
        await b.publish(ch, 'dropped');
        await b.publish(`${ch}-sentinel`, 'after');
        await sentinel.waitFor(1);
        await a.subscribe(ch, back.handler);
        await b.publish(ch, 'heard');
        await back.waitFor(1);
        expect(gone.messages).toEqual([]);
        expect(back.messages).toEqual(['heard']);
      });

      it('concurrent subscriptions to one channel on one connection both hear', async () => {
        const [a, b] = [await open(), await open()];
        const ch = channel();
        const [one, two] = [recorder(), recorder()];
        await Promise.all([a.subscribe(ch, one.handler), a.subscribe(ch, two.handler)]);
        await b.publish(ch, 'm');
        await Promise.all([one.waitFor(1), two.waitFor(1)]);
      });

      it('a failing handler stops neither other handlers nor later messages', async () => {
        const [a, b] = [await open(), await open()];
        const ch = channel();
        let thrown = 0;
        const healthy = recorder();
        await a.subscribe(ch, () => {
          thrown += 1;
          throw new Error('handler bug');
        });
        await a.subscribe(ch, healthy.handler);
        await b.publish(ch, 'm1');
        await b.publish(ch, 'm2');
        await healthy.waitFor(2);
        expect(healthy.messages).toEqual(['m1', 'm2']);
        expect(thrown).toBe(2);
      });

      it('publishing to a channel nobody listens to succeeds', async () => {
        const a = await open();
        await expect(a.publish(channel(), 'into the void')).resolves.toBeUndefined();
      });

      it('after close(), a connection rejects calls and hears nothing more', async () => {
        const [a, b] = [await open(), await open()];
        const ch = channel();
        const [closedOne, live] = [recorder(), recorder()];
        await a.subscribe(ch, closedOne.handler);
        await b.subscribe(ch, live.handler);
        await a.close();
        await a.close();
        await expect(a.publish(ch, 'x')).rejects.toBeInstanceOf(CacheUnavailableError);
        await expect(a.subscribe(ch, () => undefined)).rejects.toBeInstanceOf(
          CacheUnavailableError,
        );
        await b.publish(ch, 'after close');
        await live.waitFor(1);
        expect(closedOne.messages).toEqual([]);
      });
    });
  });
}

/** Collects messages and waits for the n-th, failing after `timeoutMs` instead of hanging. */
function recorder() {
  const messages: string[] = [];
  const waiters: Array<{ n: number; done: () => void }> = [];
  const handler = (message: string) => {
    messages.push(message);
    for (const waiter of [...waiters]) {
      if (messages.length >= waiter.n) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.done();
      }
    }
  };
  const waitFor = (n: number, timeoutMs = 2_000) =>
    new Promise<void>((resolve, reject) => {
      if (messages.length >= n) return resolve();
      const timer = setTimeout(
        () => reject(new Error(`expected ${n} message(s), heard ${messages.length}`)),
        timeoutMs,
      );
      waiters.push({
        n,
        done: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  return { messages, handler, waitFor };
}
