/**
 * Port for the read models (introspection state, deny-lists, ...). Values are
 * opaque strings: the projection owns the encoding, the cache only stores.
 * Every adapter must pass `readModelCacheContract` from @idp/testing.
 */
export const READ_MODEL_CACHE = Symbol('ReadModelCache');

/** One write of a batch; `ttlMs` has the same meaning as in `ReadModelCache.set`. */
export interface CacheEntry {
  readonly key: string;
  readonly value: string;
  readonly ttlMs?: number;
}

export interface ReadModelCache {
  /** The value, or null when absent or expired. */
  get(key: string): Promise<string | null>;
  /** One value (or null) per key, in the order asked; `[]` for no keys. */
  mget(keys: readonly string[]): Promise<(string | null)[]>;
  /**
   * Stores `value`. `ttlMs` omitted = no expiry (and clears a previous TTL);
   * `ttlMs <= 0` = already expired, so the key is deleted; fractions round up
   * so a deny-list entry never lapses early. NaN/Infinity reject (RangeError).
   */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Applies all entries in order as one unit (MULTI/EXEC on Redis); `[]` is a no-op. */
  setMany(entries: readonly CacheEntry[]): Promise<void>;
  /**
   * SET NX: true iff this call stored the value (idempotent projections).
   * `ttlMs <= 0` stores nothing and returns false; an existing key is untouched.
   */
  setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean>;
  /** Deletes the keys; resolves with how many of them existed. */
  delete(...keys: string[]): Promise<number>;
  /** Remaining lifetime in ms; null if the key does not exist; -1 if it never expires. */
  ttlMs(key: string): Promise<number | null>;
  /** Readiness probe: true only if the backing store answers now (Redis: PING, short timeout). */
  ready(): Promise<boolean>;
  /** Releases connections and timers. Idempotent; later calls reject. */
  close(): Promise<void>;
}
