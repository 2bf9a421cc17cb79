import type { Redis } from 'ioredis';
import { CacheUnavailableError, toCacheError } from './cache-errors';
import type { CacheEntry, ReadModelCache } from './read-model-cache.port';
import {
  closeRedis,
  connectRedis,
  createRedisClient,
  OutageGate,
  type RedisConnectionOptions,
} from './redis-connection';
import { planTtl } from './ttl';

export interface RedisCacheOptions extends RedisConnectionOptions {
  /**
   * Namespace prepended to every key by ioredis, e.g. 'idp:introspection:'
   * (include the separator). Required: the Redis is shared.
   */
  readonly keyPrefix: string;
  /** How long `ready()` waits for PONG. Default 250 ms. */
  readonly readyTimeoutMs?: number;
}

/** Builds the client and connects it; rejects fast if Redis is unreachable at boot. */
export async function createRedisCache(options: RedisCacheOptions): Promise<RedisReadModelCache> {
  if (!options.keyPrefix) throw new TypeError('keyPrefix is required (the Redis is shared)');
  const client = createRedisClient(options, { keyPrefix: options.keyPrefix });
  await connectRedis(client, options);
  return new RedisReadModelCache(client, options);
}

/**
 * ReadModelCache on ioredis. Auto-pipelining batches concurrent calls into one
 * round trip, so the introspection hot path needs no explicit batching. Errors
 * surface as CacheUnavailableError without command arguments (never values).
 */
export class RedisReadModelCache implements ReadModelCache {
  private readonly readyTimeoutMs: number;
  private readonly outage: OutageGate;
  private closed = false;

  /** `redis` should come from `createRedisClient` (fail-fast settings, key prefix). */
  constructor(
    private readonly redis: Redis,
    options: { readonly readyTimeoutMs?: number; readonly maxRetriesPerRequest?: number } = {},
  ) {
    this.readyTimeoutMs = options.readyTimeoutMs ?? 250;
    this.outage = new OutageGate(redis, options.maxRetriesPerRequest);
  }

  get(key: string): Promise<string | null> {
    return this.run(() => this.redis.get(key));
  }

  mget(keys: readonly string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return this.run(async () => []);
    return this.run(() => this.redis.mget([...keys]));
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    const plan = planTtl(ttlMs);
    await this.run(async () => {
      if (plan.kind === 'expired') await this.redis.unlink(key);
      else if (plan.kind === 'expire') await this.redis.set(key, value, 'PX', plan.ms);
      else await this.redis.set(key, value);
    });
  }

  async setMany(entries: readonly CacheEntry[]): Promise<void> {
    // Validate every TTL before sending anything, so a bad entry writes nothing.
    const planned = entries.map((entry) => ({ ...entry, plan: planTtl(entry.ttlMs) }));
    if (planned.length === 0) return this.run(async () => undefined);
    await this.run(async () => {
      const tx = this.redis.multi();
      for (const { key, value, plan } of planned) {
        if (plan.kind === 'expired') tx.unlink(key);
        else if (plan.kind === 'expire') tx.set(key, value, 'PX', plan.ms);
        else tx.set(key, value);
      }
      const results = await tx.exec();
      if (results === null) throw new CacheUnavailableError('transaction aborted');
      for (const [error] of results) if (error) throw error;
    });
  }

  async setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean> {
    const plan = planTtl(ttlMs);
    return this.run(async () => {
      if (plan.kind === 'expired') return false;
      const reply =
        plan.kind === 'expire'
          ? await this.redis.set(key, value, 'PX', plan.ms, 'NX')
          : await this.redis.set(key, value, 'NX');
      return reply === 'OK';
    });
  }

  delete(...keys: string[]): Promise<number> {
    if (keys.length === 0) return this.run(async () => 0);
    // UNLINK: same count as DEL, but large values are freed off the main thread.
    return this.run(() => this.redis.unlink(...keys));
  }

  ttlMs(key: string): Promise<number | null> {
    // PTTL: -2 = no such key, -1 = no expiry.
    return this.run(async () => {
      const ttl = await this.redis.pttl(key);
      return ttl === -2 ? null : ttl;
    });
  }

  async ready(): Promise<boolean> {
    // Not connected: answer now instead of queueing a PING behind a reconnect.
    if (this.closed || this.redis.status !== 'ready') return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), this.readyTimeoutMs);
      timer.unref();
    });
    const pong = this.redis.ping().then(
      (reply) => reply === 'PONG',
      () => false,
    );
    try {
      return await Promise.race([pong, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await closeRedis(this.redis);
  }

  private async run<T>(operation: () => Promise<T>): Promise<T> {
    if (this.closed) throw new CacheUnavailableError('cache is closed');
    if (this.outage.down) throw new CacheUnavailableError('Redis unavailable (reconnecting)');
    try {
      return await operation();
    } catch (error) {
      throw toCacheError(error);
    }
  }
}
