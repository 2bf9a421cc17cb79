import type { Redis } from 'ioredis';
import { toCacheError } from '../cache-errors';
import {
  closeRedis,
  redisAnswers,
  connectRedis,
  createRedisClient,
  type RedisConnectionOptions,
} from '../redis-connection';
import type { CounterAdd, SharedCounter } from './shared-counter.port';

export async function createRedisSharedCounter(
  options: RedisConnectionOptions & { readonly keyPrefix: string },
): Promise<RedisSharedCounter> {
  if (!options.keyPrefix) throw new TypeError('keyPrefix is required (the Redis is shared)');
  const client = createRedisClient(options, { keyPrefix: options.keyPrefix });
  await connectRedis(client, options);
  return new RedisSharedCounter(client);
}

/** SharedCounter on Redis: INCRBY + PEXPIRE per key, the whole batch in one pipeline (one round trip). */
export class RedisSharedCounter implements SharedCounter {
  constructor(private readonly redis: Redis) {}

  async add(entries: readonly CounterAdd[], ttlMs: number): Promise<number[]> {
    if (entries.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const { key, delta } of entries) pipeline.incrby(key, delta).pexpire(key, ttlMs);
    let results: [Error | null, unknown][] | null;
    try {
      results = await pipeline.exec();
    } catch (err) {
      throw toCacheError(err);
    }
    if (results === null) throw toCacheError(new Error('pipeline discarded'));
    return entries.map((_, i) => {
      const [error, total] = results[i * 2]!;
      if (error) throw toCacheError(error);
      return Number(total);
    });
  }

  ready(): Promise<boolean> {
    return redisAnswers(this.redis);
  }

  close(): Promise<void> {
    return closeRedis(this.redis);
  }
}
