import type { Redis } from 'ioredis';
import { toCacheError } from '../cache-errors';
import {
  closeRedis,
  connectRedis,
  createRedisClient,
  type RedisConnectionOptions,
} from '../redis-connection';
import type { ReplayStore } from './replay-store.port';

export async function createRedisReplayStore(
  options: RedisConnectionOptions & { readonly keyPrefix: string },
): Promise<RedisReplayStore> {
  if (!options.keyPrefix) throw new TypeError('keyPrefix is required (the Redis is shared)');
  const client = createRedisClient(options, { keyPrefix: options.keyPrefix });
  await connectRedis(client, options);
  return new RedisReplayStore(client);
}

/** ReplayStore on Redis: `SET key 1 NX PX ttl`, atomic across every replica. */
export class RedisReplayStore implements ReplayStore {
  constructor(private readonly redis: Redis) {}

  async claimOnce(key: string, ttlMs: number): Promise<boolean> {
    try {
      return (await this.redis.set(key, '1', 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX')) === 'OK';
    } catch (err) {
      throw toCacheError(err);
    }
  }

  async ready(): Promise<boolean> {
    try {
      return (await this.redis.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  close(): Promise<void> {
    return closeRedis(this.redis);
  }
}
