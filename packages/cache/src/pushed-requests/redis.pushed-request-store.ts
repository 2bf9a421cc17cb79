import type { Redis } from 'ioredis';
import { toCacheError } from '../cache-errors';
import {
  closeRedis,
  connectRedis,
  createRedisClient,
  type RedisConnectionOptions,
} from '../redis-connection';
import type { PushedRequestEntry, PushedRequestStore } from './pushed-request-store.port';

// One hash per request (client, request) with a PX expiry, written in one step.
const SAVE = `redis.call('HSET', KEYS[1], 'client', ARGV[1], 'request', ARGV[2])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1`;

// Compare the owner and delete in one atomic step: two replicas redeeming
// at once get the request once; another client's attempt leaves it alone.
const REDEEM = `local h = redis.call('HMGET', KEYS[1], 'client', 'request')
if h[1] == false or h[1] ~= ARGV[1] then return false end
redis.call('DEL', KEYS[1])
return h[2]`;

type Scripted = Redis & {
  parSave(key: string, clientId: string, request: string, ttlMs: number): Promise<number>;
  parRedeem(key: string, clientId: string): Promise<string | null>;
};

export async function createRedisPushedRequestStore(
  options: RedisConnectionOptions & { readonly keyPrefix: string },
): Promise<RedisPushedRequestStore> {
  if (!options.keyPrefix) throw new TypeError('keyPrefix is required (the Redis is shared)');
  const client = createRedisClient(options, { keyPrefix: options.keyPrefix });
  await connectRedis(client, options);
  return new RedisPushedRequestStore(client);
}

/** PushedRequestStore on Redis: a hash per handle, expiry by PEXPIRE, redemption by one Lua script. */
export class RedisPushedRequestStore implements PushedRequestStore {
  private readonly redis: Scripted;

  constructor(redis: Redis) {
    redis.defineCommand('parSave', { numberOfKeys: 1, lua: SAVE });
    redis.defineCommand('parRedeem', { numberOfKeys: 1, lua: REDEEM });
    this.redis = redis as Scripted;
  }

  async save(handle: string, entry: PushedRequestEntry, ttlMs: number): Promise<void> {
    try {
      await this.redis.parSave(handle, entry.clientId, entry.request, Math.max(1, ttlMs));
    } catch (err) {
      throw toCacheError(err);
    }
  }

  async redeem(handle: string, clientId: string): Promise<string | undefined> {
    try {
      return (await this.redis.parRedeem(handle, clientId)) ?? undefined;
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
