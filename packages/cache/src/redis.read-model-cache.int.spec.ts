import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { readModelCacheContract } from '@idp/testing';
import { Redis } from 'ioredis';
import { CacheUnavailableError, type CacheLogger } from './cache-errors';
import {
  createRedisInvalidations,
  type RedisCacheInvalidations,
} from './redis.cache-invalidations';
import { createRedisClient } from './redis-connection';
import { createRedisCache, RedisReadModelCache } from './redis.read-model-cache';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Nothing listens there: connection refused. */
const UNREACHABLE_URL = 'redis://127.0.0.1:6390';
/** Every key and channel of this run lives under it; afterAll proves none is left. */
const RUN_PREFIX = `idp-test:cache:${randomUUID()}:`;
const silent: CacheLogger = { warn: () => undefined };

let admin: Redis;
let fixtureSeq = 0;

beforeAll(async () => {
  admin = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await admin.connect();
});

afterAll(async () => {
  const leftovers = await keysUnder(RUN_PREFIX);
  await deleteKeysUnder(RUN_PREFIX);
  await admin.quit();
  expect(leftovers).toEqual([]);
});

/** SCAN, not KEYS: the Redis is shared and may be large. The prefix has no glob characters. */
async function keysUnder(prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1_000);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return found;
}

async function deleteKeysUnder(prefix: string): Promise<void> {
  const keys = await keysUnder(prefix);
  for (let i = 0; i < keys.length; i += 500) await admin.unlink(...keys.slice(i, i + 500));
}

readModelCacheContract('RedisReadModelCache', async () => {
  const prefix = `${RUN_PREFIX}${++fixtureSeq}:`;
  const cache = await createRedisCache({
    url: REDIS_URL,
    keyPrefix: prefix,
    connectionName: 'idp-cache-contract',
    logger: silent,
    // The contract round-trips ~6 MB in one MGET; on a busy 2-core CI box that outran the
    // product's 500 ms fail-fast bound (CacheUnavailableError: Command timed out). The
    // contract is about values; the bound has its own tests below ("fails closed, never hangs").
    commandTimeoutMs: 10_000,
  });
  const connections: RedisCacheInvalidations[] = [];
  return {
    cache,
    // No `advance`: the contract sleeps, and Redis expires keys on its own clock.
    invalidations: async () => {
      const connection = await createRedisInvalidations({
        url: REDIS_URL,
        channelPrefix: prefix,
        logger: silent,
      });
      connections.push(connection);
      return connection;
    },
    cleanup: async () => {
      await cache.close();
      await Promise.all(connections.map((connection) => connection.close()));
      await deleteKeysUnder(prefix);
    },
  };
});

describe('RedisReadModelCache (adapter specifics)', () => {
  const opened: Array<{ close(): Promise<void> }> = [];
  const track = <T extends { close(): Promise<void> }>(resource: T): T => {
    opened.push(resource);
    return resource;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((resource) => resource.close()));
  });

  it('namespaces every key, including inside MULTI, under keyPrefix', async () => {
    const prefix = `${RUN_PREFIX}ns-${randomUUID()}:`;
    const a = track(await createRedisCache({ url: REDIS_URL, keyPrefix: `${prefix}a:` }));
    const b = track(await createRedisCache({ url: REDIS_URL, keyPrefix: `${prefix}b:` }));
    await a.set('k', 'from-a');
    await a.setMany([{ key: 'batch', value: 'x', ttlMs: 60_000 }]);
    await b.set('k', 'from-b');

    expect(await admin.get(`${prefix}a:k`)).toBe('from-a');
    expect(await admin.get(`${prefix}a:batch`)).toBe('x');
    expect(await admin.get(`${prefix}b:k`)).toBe('from-b');
    expect(await b.get('batch')).toBeNull();
    expect(await b.delete('k', 'batch')).toBe(1);
    expect(await a.mget(['k', 'batch'])).toEqual(['from-a', 'x']);
    await deleteKeysUnder(prefix);
  });

  it('refuses to run without a namespace', async () => {
    await expect(createRedisCache({ url: REDIS_URL, keyPrefix: '' })).rejects.toThrow(TypeError);
    await expect(createRedisInvalidations({ url: REDIS_URL, channelPrefix: '' })).rejects.toThrow(
      TypeError,
    );
  });

  it('surfaces Redis errors as CacheUnavailableError without the key or value', async () => {
    const prefix = `${RUN_PREFIX}err-${randomUUID()}:`;
    const cache = track(await createRedisCache({ url: REDIS_URL, keyPrefix: prefix }));
    await admin.hset(`${prefix}not-a-string`, 'field', 'value');
    const error: unknown = await cache.get('not-a-string').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheUnavailableError);
    expect((error as CacheUnavailableError).message).toMatch(/WRONGTYPE/);
    expect(JSON.stringify(error)).not.toContain('not-a-string');
    expect(Object.keys(error as object)).not.toContain('command');
    await deleteKeysUnder(prefix);
  });

  describe('fails closed, never hangs', () => {
    it('refused connection: get/set reject within ~1 s and ready() is false', async () => {
      const cache = track(
        new RedisReadModelCache(
          createRedisClient(
            { url: UNREACHABLE_URL, logger: silent },
            { keyPrefix: `${RUN_PREFIX}down:` },
          ),
        ),
      );
      const started = Date.now();
      await expect(cache.get('k')).rejects.toBeInstanceOf(CacheUnavailableError);
      await expect(cache.set('k', 'v')).rejects.toBeInstanceOf(CacheUnavailableError);
      await expect(cache.mget(['k'])).rejects.toBeInstanceOf(CacheUnavailableError);
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(await cache.ready()).toBe(false);
    });

    it('refused connection at boot: the factories reject within ~1 s', async () => {
      const started = Date.now();
      await expect(
        createRedisCache({ url: UNREACHABLE_URL, keyPrefix: 'x:', logger: silent }),
      ).rejects.toBeInstanceOf(CacheUnavailableError);
      await expect(
        createRedisInvalidations({ url: UNREACHABLE_URL, channelPrefix: 'x:', logger: silent }),
      ).rejects.toBeInstanceOf(CacheUnavailableError);
      expect(Date.now() - started).toBeLessThan(1_000);
    });

    describe('a server that accepts TCP but never answers (hung before the handshake)', () => {
      let server: Server;
      const sockets = new Set<Socket>();
      let url: string;

      beforeAll(async () => {
        server = createServer((socket) => {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
        });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        const address = server.address();
        if (address === null || typeof address === 'string') throw new Error('no port');
        url = `redis://127.0.0.1:${address.port}`;
      });

      afterAll(async () => {
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      });

      it('get rejects after commandTimeoutMs and ready() is false', async () => {
        const cache = track(
          new RedisReadModelCache(
            createRedisClient({ url, commandTimeoutMs: 300, logger: silent }, { keyPrefix: 'x:' }),
          ),
        );
        const started = Date.now();
        await expect(cache.get('k')).rejects.toThrow(/timed out/i);
        expect(Date.now() - started).toBeLessThan(1_000);
        expect(await cache.ready()).toBe(false);
      });

      it('the factory rejects instead of waiting forever for the handshake', async () => {
        const started = Date.now();
        await expect(
          createRedisCache({ url, keyPrefix: 'x:', connectTimeoutMs: 300, logger: silent }),
        ).rejects.toBeInstanceOf(CacheUnavailableError);
        expect(Date.now() - started).toBeLessThan(2_500);
      });
    });
  });
});

describe('RedisReadModelCache through a TCP proxy to the real Redis (outages)', () => {
  const redisPort = Number(new URL(REDIS_URL).port || 6379);
  const redisHost = new URL(REDIS_URL).hostname;
  let proxy: TcpProxy;
  let cache: RedisReadModelCache;
  const prefix = `${RUN_PREFIX}proxy-${randomUUID()}:`;

  beforeEach(async () => {
    proxy = new TcpProxy(redisHost, redisPort);
    await proxy.start();
    cache = await createRedisCache({
      url: `redis://127.0.0.1:${proxy.port}`,
      keyPrefix: prefix,
      commandTimeoutMs: 300,
      logger: silent,
    });
    await cache.set('k', 'v');
    await cache.set('k2', 'v2');
  });

  afterEach(async () => {
    await cache.close();
    await proxy.stop();
    await deleteKeysUnder(prefix);
  });

  it('an outage fails closed at once, then the cache recovers by itself', async () => {
    await proxy.stop();
    const started = Date.now();
    await expect(cache.get('k')).rejects.toBeInstanceOf(CacheUnavailableError);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await cache.ready()).toBe(false);

    // Outage confirmed: no more queueing behind reconnects, refused immediately.
    const refusedAt = Date.now();
    await expect(cache.get('k')).rejects.toThrow(/unavailable/);
    await expect(cache.setMany([{ key: 'x', value: 'y' }])).rejects.toThrow(/unavailable/);
    expect(Date.now() - refusedAt).toBeLessThan(50);

    await proxy.start();
    await waitUntilAsync(() => cache.ready(), 5_000);
    expect(await cache.mget(['k', 'k2'])).toEqual(['v', 'v2']);
  });

  it('a frozen Redis times calls out, is not ready, and answers in step once it thaws', async () => {
    proxy.freeze();
    const started = Date.now();
    expect(await cache.ready()).toBe(false);
    await expect(cache.get('k')).rejects.toThrow(/timed out/i);
    expect(Date.now() - started).toBeLessThan(1_000);

    // The timed-out PING and GET are answered late; later replies must still
    // reach the right callers (ioredis matches replies to commands by order).
    proxy.thaw();
    expect(await cache.get('k2')).toBe('v2');
    expect(await cache.mget(['k', 'k2'])).toEqual(['v', 'v2']);
    expect(await cache.ready()).toBe(true);
  });
});

describe('RedisCacheInvalidations (adapter specifics)', () => {
  it('a dropped subscriber connection fires onReset, resubscribes, and delivers again', async () => {
    const name = `idp-cache-test-${randomUUID()}`;
    const channelPrefix = `${RUN_PREFIX}reset:`;
    const replica = await createRedisInvalidations({
      url: REDIS_URL,
      channelPrefix,
      connectionName: name,
      logger: silent,
    });
    const publisher = await createRedisInvalidations({
      url: REDIS_URL,
      channelPrefix,
      logger: silent,
    });
    try {
      const heard: string[] = [];
      let resets = 0;
      await replica.subscribe('c', (m) => heard.push(m), { onReset: () => (resets += 1) });

      // Kill only our own subscriber connection, found by its unique name.
      const clients = (await admin.client('LIST')) as string;
      const line = clients.split('\n').find((l) => l.includes(` name=${name}:sub `));
      const id = line?.match(/^id=(\d+) /)?.[1];
      expect(id).toBeDefined();
      await admin.client('KILL', 'ID', id as string);

      // One reset when the gap opens, one when the channel is live again.
      await waitUntil(() => resets >= 2, 3_000);
      await publisher.publish('c', 'after reconnect');
      await waitUntil(() => heard.length >= 1, 2_000);
      expect(heard).toEqual(['after reconnect']);
      expect(resets).toBe(2);
    } finally {
      await replica.close();
      await publisher.close();
    }
  });
});

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(10);
  }
}

async function waitUntilAsync(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(25);
  }
}

/**
 * Forwards TCP to the real Redis so a test can take it away (stop/start on the
 * same port) or freeze it (bytes held, not dropped, like a stalled server)
 * without touching the shared Redis itself.
 */
class TcpProxy {
  port = 0;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private frozen = false;
  private readonly held: Array<() => void> = [];

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.on('data', (chunk) => this.forward(() => upstream.write(chunk)));
      upstream.on('data', (chunk) => this.forward(() => client.write(chunk)));
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    this.port = address.port;
    this.server = server;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  freeze(): void {
    this.frozen = true;
  }

  thaw(): void {
    this.frozen = false;
    for (const send of this.held.splice(0)) send();
  }

  private forward(send: () => void): void {
    if (this.frozen) this.held.push(send);
    else send();
  }
}
