import type { Redis } from 'ioredis';
import { toCacheError } from '../cache-errors';
import {
  closeRedis,
  redisAnswers,
  connectRedis,
  createRedisClient,
  type RedisConnectionOptions,
} from '../redis-connection';
import type { AttemptThrottle, AttemptVerdict, ThrottlePolicy } from './attempt-throttle.port';

// The rules of throttle-rules.ts, in Lua so read-decide-write is one atomic
// step for every replica, on Redis's clock (replicas' clocks may differ).
const NOW = `local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

const BEGIN = `${NOW}
local free, delay, maxDelay, windowMs = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local h = redis.call('HMGET', KEYS[1], 'n', 'next', 'lock')
local n, nxt, lock = tonumber(h[1]) or 0, tonumber(h[2]) or 0, tonumber(h[3]) or 0
if lock > now then return {0, lock - now, 1} end
if nxt > now then return {0, nxt - now, 0} end
n = n + 1
local wait = 0
if n > free then wait = math.min(delay * 2 ^ (n - free - 1), maxDelay) end
redis.call('HSET', KEYS[1], 'n', n, 'next', now + wait, 'lock', 0)
redis.call('PEXPIRE', KEYS[1], math.max(windowMs, wait))
return {1, 0, 0}`;

const FAIL = `${NOW}
local lockAt, lockMs, windowMs = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local h = redis.call('HMGET', KEYS[1], 'n', 'lock')
local n, lock = tonumber(h[1]) or 0, tonumber(h[2]) or 0
if lockAt <= 0 or n < lockAt or lock > now then return 0 end
local untilMs = now + lockMs
redis.call('HSET', KEYS[1], 'n', 0, 'next', 0, 'lock', untilMs)
redis.call('PEXPIRE', KEYS[1], math.max(windowMs, lockMs))
return untilMs`;

const CLEAR = `${NOW}
local lock = tonumber(redis.call('HGET', KEYS[1], 'lock')) or 0
redis.call('DEL', KEYS[1])
if lock > now then return 1 end
return 0`;

const REFUND = `local n = tonumber(redis.call('HGET', KEYS[1], 'n')) or 0
if n <= 0 then return 0 end
redis.call('HSET', KEYS[1], 'n', n - 1)
if n - 1 <= tonumber(ARGV[1]) then redis.call('HSET', KEYS[1], 'next', 0) end
return 0`;

type Scripted = Redis & {
  throttleBegin(key: string, ...args: number[]): Promise<[number, number, number]>;
  throttleFail(key: string, ...args: number[]): Promise<number>;
  throttleClear(key: string): Promise<number>;
  throttleRefund(key: string, free: number): Promise<number>;
};

export interface RedisThrottleOptions extends RedisConnectionOptions {
  /** Namespace of every key (include the separator); the Redis is shared. */
  readonly keyPrefix: string;
}

export async function createRedisAttemptThrottle(
  options: RedisThrottleOptions,
): Promise<RedisAttemptThrottle> {
  if (!options.keyPrefix) throw new TypeError('keyPrefix is required (the Redis is shared)');
  const client = createRedisClient(options, { keyPrefix: options.keyPrefix });
  await connectRedis(client, options);
  return new RedisAttemptThrottle(client);
}

/** AttemptThrottle on Redis: one hash per key, one Lua script per call (EVALSHA). */
export class RedisAttemptThrottle implements AttemptThrottle {
  private readonly redis: Scripted;

  constructor(redis: Redis) {
    redis.defineCommand('throttleBegin', { numberOfKeys: 1, lua: BEGIN });
    redis.defineCommand('throttleFail', { numberOfKeys: 1, lua: FAIL });
    redis.defineCommand('throttleClear', { numberOfKeys: 1, lua: CLEAR });
    redis.defineCommand('throttleRefund', { numberOfKeys: 1, lua: REFUND });
    this.redis = redis as Scripted;
  }

  async begin(key: string, p: ThrottlePolicy): Promise<AttemptVerdict> {
    const [allowed, retryAfterMs, locked] = await this.run(() =>
      this.redis.throttleBegin(key, p.freeFailures, p.delayMs, p.maxDelayMs, p.windowMs),
    );
    return allowed === 1
      ? { allowed: true }
      : { allowed: false, retryAfterMs, locked: locked === 1 };
  }

  async fail(key: string, p: ThrottlePolicy): Promise<number | undefined> {
    const until = await this.run(() =>
      this.redis.throttleFail(key, p.lockFailures, p.lockMs, p.windowMs),
    );
    return until > 0 ? until : undefined;
  }

  async clear(key: string): Promise<boolean> {
    return (await this.run(() => this.redis.throttleClear(key))) === 1;
  }

  async refund(key: string, p: ThrottlePolicy): Promise<void> {
    await this.run(() => this.redis.throttleRefund(key, p.freeFailures));
  }

  ready(): Promise<boolean> {
    return redisAnswers(this.redis);
  }

  close(): Promise<void> {
    return closeRedis(this.redis);
  }

  private async run<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw toCacheError(err);
    }
  }
}
