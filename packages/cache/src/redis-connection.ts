import type { Redis, RedisOptions } from 'ioredis';
import { type CacheLogger, consoleCacheLogger, toCacheError } from './cache-errors';
import { redisSecurityOptions, type RedisSecurity } from './redis-security';

export interface RedisConnectionOptions {
  /** redis://[user:pass@]host:port[/db] or rediss:// for TLS. */
  readonly url: string;
  /** CLIENT SETNAME, so operators can tell replicas apart in CLIENT LIST. */
  readonly connectionName?: string | undefined;
  /** Upper bound for every command, queued or in flight. Default 500 ms. */
  readonly commandTimeoutMs?: number;
  /** TCP/TLS connect bound (a blackholed host). Default 1000 ms. */
  readonly connectTimeoutMs?: number;
  /** Reconnect attempts a queued command survives. Default 1: fail fast, callers fail closed. */
  readonly maxRetriesPerRequest?: number;
  readonly logger?: CacheLogger;
  /** TLS CA and Redis Sentinel (managed Redis); see redis-security.ts. */
  readonly security?: RedisSecurity;
}

export const REDIS_DEFAULTS = {
  commandTimeoutMs: 500,
  connectTimeoutMs: 1000,
  maxRetriesPerRequest: 1,
} as const;

/**
 * An unconnected ioredis client with fail-fast settings. The offline queue
 * stays on so a failover blip of a few hundred ms is ridden out, but
 * `commandTimeout` caps every call, so a down or frozen Redis is an error
 * within ~commandTimeoutMs, never a hang.
 */
export function createRedisClient(
  options: RedisConnectionOptions,
  extra: Pick<RedisOptions, 'keyPrefix' | 'autoResubscribe'> = {},
): Redis {
  const logger = options.logger ?? consoleCacheLogger;
  // Loaded on the first client, not with @idp/cache: session-service imports the package
  // but never opens Redis, and a restart should not pay for ioredis's ~55 modules.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Redis: RedisClient } = require('ioredis') as typeof import('ioredis');
  const client = new RedisClient(options.url, {
    ...extra,
    ...redisSecurityOptions(options.url, options.security),
    lazyConnect: true,
    enableAutoPipelining: true,
    ...(options.connectionName === undefined ? {} : { connectionName: options.connectionName }),
    commandTimeout: options.commandTimeoutMs ?? REDIS_DEFAULTS.commandTimeoutMs,
    connectTimeout: options.connectTimeoutMs ?? REDIS_DEFAULTS.connectTimeoutMs,
    maxRetriesPerRequest: options.maxRetriesPerRequest ?? REDIS_DEFAULTS.maxRetriesPerRequest,
    // ioredis destroys a socket the peer did not close after this; its 2 s
    // default kept shutdowns (and test runs) waiting on a dead peer.
    disconnectTimeout: 200,
    // Quick first retries for a failover, then at most one attempt per second.
    retryStrategy: (attempt) => Math.min(50 * 2 ** (attempt - 1), 1000),
  });
  logConnectionTrouble(client, logger, options.connectionName ?? 'redis');
  return client;
}

/**
 * Logs the first error of an outage and the recovery, not every reconnect
 * attempt. An 'error' listener is also what stops ioredis from printing its
 * own "Unhandled error event" lines.
 */
function logConnectionTrouble(client: Redis, logger: CacheLogger, name: string): void {
  let healthy = true;
  client.on('error', (error: unknown) => {
    if (!healthy) return;
    healthy = false;
    logger.warn(`${name}: Redis connection error: ${toCacheError(error).message}`);
  });
  client.on('ready', () => {
    if (healthy) return;
    healthy = true;
    logger.warn(`${name}: Redis connection recovered`);
  });
}

/**
 * Connects or throws within connectTimeoutMs + commandTimeoutMs. ioredis alone
 * can take seconds against a host that accepts TCP but never answers (its
 * ready check times out, then it waits for a FIN that never comes). Never
 * leaves a reconnect loop or a half-open socket behind a failure.
 */
export async function connectRedis(
  client: Redis,
  options: Pick<RedisConnectionOptions, 'connectTimeoutMs' | 'commandTimeoutMs'> = {},
): Promise<void> {
  const deadlineMs =
    (options.connectTimeoutMs ?? REDIS_DEFAULTS.connectTimeoutMs) +
    (options.commandTimeoutMs ?? REDIS_DEFAULTS.commandTimeoutMs);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Redis not ready within ${deadlineMs} ms`)),
      deadlineMs,
    );
  });
  try {
    await Promise.race([client.connect(), deadline]);
  } catch (error) {
    hardDisconnect(client);
    throw toCacheError(error);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether the server answers PING now: a Redis adapter's `ready()`. */
export async function redisAnswers(client: Redis): Promise<boolean> {
  try {
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  }
}

/** QUIT when healthy (lets pending replies arrive), otherwise drop the socket. */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready') {
    hardDisconnect(client);
    return;
  }
  try {
    await client.quit();
  } catch {
    hardDisconnect(client);
  }
}

/** disconnect() only half-closes; a frozen peer would keep the socket (and the process) alive. */
function hardDisconnect(client: Redis): void {
  client.disconnect();
  (client.stream as { destroy?: () => void } | undefined)?.destroy?.();
}

/**
 * ioredis keeps queueing commands while it reconnects, so during a long
 * outage every call waits out commandTimeout. Once the reconnects a queued
 * command would survive have failed too (an outage, not a blip), refuse
 * calls at once: fail closed in microseconds and shed load. Closes on 'ready'.
 */
export class OutageGate {
  private failedAttempts = 0;
  private readonly threshold: number;

  constructor(client: Redis, maxRetriesPerRequest: number = REDIS_DEFAULTS.maxRetriesPerRequest) {
    this.threshold = maxRetriesPerRequest + 1;
    client.on('close', () => (this.failedAttempts += 1));
    client.on('ready', () => (this.failedAttempts = 0));
  }

  /** True while Redis is known to be down. */
  get down(): boolean {
    return this.failedAttempts >= this.threshold;
  }
}
