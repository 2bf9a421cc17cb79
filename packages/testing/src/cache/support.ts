import { setTimeout as sleep } from 'node:timers/promises';
import type { CacheInvalidations, ReadModelCache } from '@idp/cache';

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

/** What the case groups get from the contract's describe: the fixture of the current test, and its clock. */
export interface ContractContext {
  /** The fixture of the current test; undefined until `make` has resolved. */
  fixture(): ReadModelCacheFixture | undefined;
  /** The cache of the current test. */
  cache(): ReadModelCache;
  /** Lets `ms` pass: the fixture's clock if it has one, else a real sleep. */
  advance(ms: number): Promise<void>;
}

/** Short enough to keep the Redis suite fast, long enough to read back before it lapses. */
export const SHORT_TTL_MS = 150;
/** Waiting this long guarantees a SHORT_TTL key is gone, also on a real clock. */
export const PAST_SHORT_TTL_MS = SHORT_TTL_MS + 100;
export const LONG_TTL_MS = 60_000;

export { sleep };

/** Collects messages and waits for the n-th, failing after `timeoutMs` instead of hanging. */
export function recorder() {
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
