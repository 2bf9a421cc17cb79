import { z } from 'zod';
import { list, offByDefault, url } from './setting-schemas';

/**
 * Redis, which holds the read models (distributed mode): where it is, its
 * key namespace, TLS, and Sentinel.
 * Part of the one settings table (defaults.ts), spread where these rows
 * always were, so docs/configuration.md lists them in the same place.
 */
export const redisSettings = {
  REDIS_URL: {
    schema: url.default('redis://127.0.0.1:6379'),
    description: 'Redis holding the read models.',
  },
  REDIS_KEY_PREFIX: {
    schema: z.string().default('idp:'),
    description: 'Namespace for every Redis key.',
  },
  REDIS_TLS_CA_FILE: {
    schema: z.string().optional(),
    description:
      "PEM file of the CA(s) that sign the Redis server's certificate. TLS itself is on when REDIS_URL starts with `rediss://` (the host name is verified); unset: Node's built-in CAs.",
  },
  REDIS_SENTINELS: {
    schema: list.default([]),
    description:
      "Redis Sentinel: comma-separated `host:port` of the sentinels. Set: the client asks them for the master named REDIS_SENTINEL_MASTER and follows failovers; REDIS_URL then gives only the master's credentials, database and TLS (`rediss://`), its host is ignored. (Redis Cluster is not supported: the apps' multi-key commands assume one node.)",
  },
  REDIS_SENTINEL_MASTER: {
    schema: z.string().optional(),
    description:
      'Redis Sentinel: the master group name (`sentinel monitor <name> ...`). Required with REDIS_SENTINELS.',
  },
  REDIS_SENTINEL_PASSWORD: {
    schema: z.string().optional(),
    description:
      'Redis Sentinel: password of the sentinels themselves (`requirepass` in sentinel.conf), if any.',
  },
  REDIS_SENTINEL_TLS: {
    schema: offByDefault,
    description: 'Redis Sentinel: talk TLS to the sentinels too (with REDIS_TLS_CA_FILE, if set).',
  },
} as const;
