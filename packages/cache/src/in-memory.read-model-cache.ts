import { CacheUnavailableError } from './cache-errors';
import type { CacheEntry, ReadModelCache } from './read-model-cache.port';
import { planTtl, type TtlPlan } from './ttl';

export interface InMemoryReadModelCacheOptions {
  /** Clock in ms; tests inject one so TTLs elapse without sleeping. Default Date.now. */
  readonly now?: () => number;
  /**
   * How often expired entries nobody reads again are dropped, so memory does
   * not grow with dead tokens. Default 30 s; 0 disables (tests call sweep()).
   */
  readonly sweepIntervalMs?: number;
}

interface Stored {
  readonly value: string;
  /** Absolute ms on `now`'s scale; undefined = never expires. */
  readonly expiresAt: number | undefined;
}

/**
 * The embedded-mode ReadModelCache: a Map with Redis semantics. Expiry is lazy
 * on every access (exact, like Redis) plus a periodic sweep (bounded memory).
 * Each call takes effect synchronously, so call order is write order, as with
 * one pipelined Redis connection.
 */
export class InMemoryReadModelCache implements ReadModelCache {
  private readonly entries = new Map<string, Stored>();
  private readonly now: () => number;
  private readonly sweeper: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: InMemoryReadModelCacheOptions = {}) {
    this.now = options.now ?? Date.now;
    const every = options.sweepIntervalMs ?? 30_000;
    if (every > 0) {
      this.sweeper = setInterval(() => this.sweep(), every);
      // Never keep a process (or a jest worker) alive just to sweep.
      this.sweeper.unref();
    }
  }

  /** Entries held, including expired ones not yet swept (for tests and metrics). */
  get storedEntries(): number {
    return this.entries.size;
  }

  /** Drops every expired entry; returns how many. */
  sweep(): number {
    const now = this.now();
    let removed = 0;
    for (const [key, stored] of this.entries) {
      if (isExpired(stored, now)) {
        this.entries.delete(key);
        removed += 1;
      }
    }
    return removed;
  }

  async get(key: string): Promise<string | null> {
    this.assertOpen();
    return this.live(key)?.value ?? null;
  }

  async mget(keys: readonly string[]): Promise<(string | null)[]> {
    this.assertOpen();
    return keys.map((key) => this.live(key)?.value ?? null);
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    const plan = planTtl(ttlMs);
    this.assertOpen();
    this.write(key, value, plan);
  }

  async setMany(entries: readonly CacheEntry[]): Promise<void> {
    // Plan first: a bad TTL anywhere rejects the batch before anything is written.
    const planned = entries.map((entry) => ({ ...entry, plan: planTtl(entry.ttlMs) }));
    this.assertOpen();
    for (const { key, value, plan } of planned) this.write(key, value, plan);
  }

  async setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean> {
    const plan = planTtl(ttlMs);
    this.assertOpen();
    if (plan.kind === 'expired' || this.live(key) !== undefined) return false;
    this.write(key, value, plan);
    return true;
  }

  async delete(...keys: string[]): Promise<number> {
    this.assertOpen();
    let deleted = 0;
    for (const key of keys) {
      if (this.live(key) !== undefined) {
        this.entries.delete(key);
        deleted += 1;
      }
    }
    return deleted;
  }

  async ttlMs(key: string): Promise<number | null> {
    this.assertOpen();
    const stored = this.live(key);
    if (stored === undefined) return null;
    if (stored.expiresAt === undefined) return -1;
    return Math.ceil(stored.expiresAt - this.now());
  }

  async ready(): Promise<boolean> {
    return !this.closed;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    this.entries.clear();
  }

  private live(key: string): Stored | undefined {
    const stored = this.entries.get(key);
    if (stored === undefined) return undefined;
    if (isExpired(stored, this.now())) {
      this.entries.delete(key);
      return undefined;
    }
    return stored;
  }

  private write(key: string, value: string, plan: TtlPlan): void {
    if (plan.kind === 'expired') this.entries.delete(key);
    else {
      const expiresAt = plan.kind === 'expire' ? this.now() + plan.ms : undefined;
      this.entries.set(key, { value, expiresAt });
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new CacheUnavailableError('cache is closed');
  }
}

function isExpired(stored: Stored, now: number): boolean {
  return stored.expiresAt !== undefined && stored.expiresAt <= now;
}
