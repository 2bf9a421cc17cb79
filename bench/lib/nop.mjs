// node-oidc-provider (nop) as a peer of the suite, in two storage
// configurations: "nop" with its default in-memory adapter (tokens in the
// server's own heap, no network hop: nop warns that it is not for
// production), and "nop-redis" with bench/lib/nop-redis-adapter.mjs on the
// shared Redis, the durable store a production deployment needs. Both run
// bench/lib/peer.server.mjs in a process of their own.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import Redis from 'ioredis';
import { deleteUnder, keysUnder } from './nop-redis-adapter.mjs';
import { ServerProcess } from './processes.mjs';

export const NOP_VERSION = createRequire(import.meta.url)('oidc-provider/package.json').version;

// What nop cannot do that a scenario measures (the scenarios detect both too,
// and fail loudly if a peer claims support it does not have).
function supports(scenario, variant) {
  if (scenario === 'introspection' && variant === 'jwt')
    return 'node-oidc-provider refuses to introspect JWT access tokens (a resource server verifies them itself)';
  if (scenario === 'userinfo' && (variant === 'jwt' || variant === 'jwt + DPoP'))
    return 'node-oidc-provider issues JWT access tokens only for resource servers, not for its userinfo';
  return true;
}

/**
 * Starts peer.server.mjs with `adapter` ('memory' | 'redis'). For 'redis':
 * `prefix` is the key prefix (one per start unless given: the adapter test
 * restarts a process on the same keys), `port` optional.
 */
export async function startNop(ctx, seed, { adapter, prefix, port } = {}) {
  const redisUrl = ctx.options.redisUrl;
  const env = { PEER_SEED: JSON.stringify(seed), PEER_ADAPTER: adapter ?? 'memory' };
  if (port) env.PEER_PORT = String(port);
  if (adapter === 'redis')
    Object.assign(env, { PEER_REDIS_URL: redisUrl, PEER_REDIS_PREFIX: prefix });
  const server = new ServerProcess(`nop (${adapter})`, {
    module: new URL('./peer.server.mjs', import.meta.url).pathname,
    env,
  }).fork();
  const ready = await server.ready();
  if (ready.adapter !== (adapter ?? 'memory'))
    throw new Error(`nop started with adapter ${ready.adapter}, expected ${adapter}`);
  return {
    base: `http://127.0.0.1:${ready.port}`,
    port: ready.port,
    pids: () => [server.pid],
    logs: () => server.logs(),
    stop: () => server.stop(),
  };
}

export const nopMemory = {
  name: 'nop',
  label: `node-oidc-provider ${NOP_VERSION}, default in-memory adapter, one process`,
  available: () => ({ ok: true }),
  start: (ctx, seed) => startNop(ctx, seed, { adapter: 'memory' }),
  supports,
};

export const nopRedis = {
  name: 'nop-redis',
  label: `node-oidc-provider ${NOP_VERSION}, Redis adapter (bench/lib/nop-redis-adapter.mjs, shared Redis), one process`,
  async available(ctx) {
    const redis = new Redis(ctx.options.redisUrl, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    // The connection error itself (ioredis rejects connect() with a vaguer one).
    let cause;
    redis.on('error', (err) => {
      cause ??= err;
    });
    try {
      await redis.connect();
      await redis.ping();
      return { ok: true };
    } catch (err) {
      return {
        ok: false,
        why: `Redis at ${ctx.options.redisUrl} does not answer: ${(cause ?? err).message}`,
      };
    } finally {
      redis.disconnect();
    }
  },
  async start(ctx, seed) {
    const prefix = `bench:nop:${randomBytes(4).toString('hex')}:`;
    const redis = new Redis(ctx.options.redisUrl);
    let running;
    try {
      running = await startNop(ctx, seed, { adapter: 'redis', prefix });
    } catch (err) {
      await deleteUnder(redis, prefix);
      redis.disconnect();
      throw err;
    }
    return {
      ...running,
      // Proof that the rows just measured went through Redis: nop's entries
      // (tokens, codes, sessions, grants) are there under this run's prefix.
      async verify() {
        const models = await keysUnder(redis, prefix, 'model:*');
        if (!models.length)
          throw new Error(`nop-redis: no entry under ${prefix} in Redis: the adapter was not used`);
        const byModel = {};
        for (const k of models) {
          const model = k.slice(prefix.length).split(':')[1];
          byModel[model] = (byModel[model] ?? 0) + 1;
        }
        return `${models.length} entries in Redis (${Object.entries(byModel)
          .map(([m, n]) => `${m} ${n}`)
          .join(', ')})`;
      },
      async stop() {
        await running.stop();
        await deleteUnder(redis, prefix);
        redis.disconnect();
      },
    };
  },
  supports,
};
