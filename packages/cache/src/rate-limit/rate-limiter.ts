import type { CacheLogger } from '../cache-errors';
import { consoleCacheLogger } from '../cache-errors';
import type { SharedCounter } from './shared-counter.port';

/** A token bucket: `ratePerSecond` on average, bursts up to `capacity`. */
export interface RateRule {
  readonly ratePerSecond: number;
  readonly capacity: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
  readonly rule: RateRule;
  /** Taken here since the last exchange. */
  pending: number;
  /** The shared window the counts below belong to. */
  slot: number;
  /** The window's shared total as of the last exchange (ours and everyone else's). */
  seen: number;
}

/** Early exchanges (for keys this replica has not seen yet) are at least this far apart. */
const EARLY_SYNC_GAP_MS = 10;

export interface RateLimiterOptions {
  /** How often the buckets exchange counts with the other replicas; 0 = never (tests call sync()). */
  readonly syncMs: number;
  readonly now?: () => number;
  /** Past this many buckets, idle full ones are dropped before a new one is made (a scan of random IPs). */
  readonly maxKeys?: number;
  readonly logger?: CacheLogger;
}

/**
 * Rate limits for hot paths (ADR 0016): every decision is a local token
 * bucket (a Map lookup and some arithmetic, no I/O), and every `syncMs` the
 * replica adds what it let through to a shared counter per key and takes
 * what the other replicas let through out of its own buckets. Between two
 * exchanges N replicas may together exceed a limit by up to
 * N × rate × syncMs; that is the consistency given up for a hot path that
 * never waits for Redis. A replica meeting a key for the first time lets
 * requests through on a full bucket until its first exchange, which it
 * starts at once. Shared counts are per window (a burst's refill time), so
 * a late replica learns recent use, not all history. If the counter is
 * unreachable the buckets go on deciding locally (per replica) and the
 * counts are sent later.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;
  private readonly maxKeys: number;
  private readonly logger: CacheLogger;
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;
  private failing = false;
  private lastSyncAt = 0;

  constructor(
    private readonly counter: SharedCounter,
    private readonly options: RateLimiterOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.maxKeys = options.maxKeys ?? 100_000;
    this.logger = options.logger ?? consoleCacheLogger;
    if (options.syncMs > 0) {
      this.timer = setInterval(() => void this.sync(), options.syncMs).unref();
    }
  }

  get trackedKeys(): number {
    return this.buckets.size;
  }

  /** 0 when the request may go on; else the seconds to wait (for Retry-After), at least 1. */
  take(key: string, rule: RateRule): number {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.buckets.size >= this.maxKeys) this.evictFull(now);
      bucket = { tokens: rule.capacity, updatedAt: now, rule, pending: 0, slot: -1, seen: 0 };
      this.buckets.set(key, bucket);
      // What the other replicas already took is unknown until an exchange: ask soon
      // (after this take, so the exchange does not see an untouched bucket and drop it).
      if (this.options.syncMs > 0 && now - this.lastSyncAt >= EARLY_SYNC_GAP_MS) {
        queueMicrotask(() => void this.sync());
      }
    } else {
      refill(bucket, now);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      bucket.pending += 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / rule.ratePerSecond));
  }

  /** Gives back one request taken from `key` (it turned out not to count, e.g. a forged client_id). */
  refund(key: string): void {
    const bucket = this.buckets.get(key);
    if (bucket === undefined || bucket.pending <= 0) return;
    bucket.pending -= 1;
    bucket.tokens = Math.min(bucket.rule.capacity, bucket.tokens + 1);
  }

  /** One exchange with the other replicas; concurrent calls share one. */
  sync(): Promise<void> {
    this.syncing ??= this.exchange().finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.syncing;
  }

  private async exchange(): Promise<void> {
    const now = this.now();
    this.lastSyncAt = now;
    const batch: { key: string; bucket: Bucket; sent: number }[] = [];
    for (const [key, bucket] of this.buckets) {
      refill(bucket, now);
      // A full bucket with nothing to send is a key nobody uses any more.
      if (bucket.pending === 0 && bucket.tokens >= bucket.rule.capacity) {
        this.buckets.delete(key);
        continue;
      }
      // Shared counts are per window of one burst's refill time, so a replica
      // that meets a key late learns what was taken lately, not since ever.
      const slot = Math.floor(now / windowMs(bucket.rule));
      if (slot !== bucket.slot) {
        bucket.slot = slot;
        bucket.seen = 0;
      }
      batch.push({ key, bucket, sent: bucket.pending });
    }
    if (batch.length === 0) return;
    let totals: number[];
    try {
      totals = await this.counter.add(
        batch.map(({ key, bucket, sent }) => ({ key: `${key}@${bucket.slot}`, delta: sent })),
        this.ttlMs(batch),
      );
    } catch (err) {
      if (!this.failing)
        this.logger.warn(`rate limits counted per replica only: ${(err as Error).message}`);
      this.failing = true;
      return;
    }
    this.failing = false;
    batch.forEach(({ bucket, sent }, i) => {
      const total = totals[i]!;
      const others = total - bucket.seen - sent;
      bucket.pending -= sent;
      bucket.seen = total;
      if (others > 0) {
        bucket.tokens = Math.max(bucket.tokens - others, -bucket.rule.capacity);
      }
    });
  }

  /** A window's count is read until the window after it ends. */
  private ttlMs(batch: readonly { bucket: Bucket }[]): number {
    return 2 * Math.max(...batch.map(({ bucket }) => windowMs(bucket.rule))) + this.options.syncMs;
  }

  private evictFull(now: number): void {
    for (const [key, bucket] of this.buckets) {
      refill(bucket, now);
      if (bucket.pending === 0 && bucket.tokens >= bucket.rule.capacity) this.buckets.delete(key);
    }
  }
}

/** The time a burst takes to refill: the span of one shared count. */
function windowMs(rule: RateRule): number {
  return Math.max(1000, Math.ceil((rule.capacity / rule.ratePerSecond) * 1000));
}

function refill(bucket: Bucket, now: number): void {
  const elapsed = now - bucket.updatedAt;
  if (elapsed <= 0) return;
  bucket.tokens = Math.min(
    bucket.rule.capacity,
    bucket.tokens + (elapsed * bucket.rule.ratePerSecond) / 1000,
  );
  bucket.updatedAt = now;
}
