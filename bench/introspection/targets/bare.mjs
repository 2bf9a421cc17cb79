// Target "bare": the floor no real implementation can beat (see bare.server.mjs).
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { ServerProcess } from '../../lib/processes.mjs';

const b64 = (n) => randomBytes(n).toString('base64url');

/** Token-shaped strings: the bare server never parses them, only their length matters. */
const makeToken = {
  opaque: () => b64(32),
  // The size of an ES256 RFC 9068 access token with a handful of claims.
  jwt: () => `${b64(60)}.${b64(260)}.${b64(64)}`,
};

export default {
  name: 'bare',
  label: 'node:http + one ioredis GET, fixed JSON, no client auth',

  async start({ runId, redisUrl, tokenCount, kinds }) {
    const prefix = `bench:${runId}:bare:`;
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    const tokens = {};
    for (const kind of kinds) {
      tokens[kind] = Array.from({ length: tokenCount }, makeToken[kind]);
      for (const t of tokens[kind]) await redis.set(prefix + t, '1', 'EX', 3600);
    }
    const server = new ServerProcess('bare', {
      module: new URL('./bare.server.mjs', import.meta.url).pathname,
      env: { BARE_KEY_PREFIX: prefix, REDIS_URL: redisUrl },
    }).fork();
    const { port } = await server.ready();
    return {
      url: `http://127.0.0.1:${port}/introspect`,
      pids: () => [server.pid],
      notes: [`Redis ${redisUrl}, key = prefix + token`],
      kinds: Object.fromEntries(
        kinds.map((kind) => [
          kind,
          { authorization: 'Basic YmVuY2g6YmVuY2g=', tokens: tokens[kind] },
        ]),
      ),
      async stop() {
        await server.stop();
        const keys = await redis.keys(`${prefix}*`);
        if (keys.length) await redis.del(...keys);
        redis.disconnect();
      },
    };
  },
};
