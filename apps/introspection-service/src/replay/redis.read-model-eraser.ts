import { createRedisClient, type RedisConnectionOptions } from '@idp/cache';
import { JWKS_KEY } from '../projections/jwks.projection';
import type { ReadModelEraser } from './read-model-rebuild';

/** What the introspection projections write (ADR 0008), relative to REDIS_KEY_PREFIX. */
export const READ_MODEL_PATTERNS = ['introspection:*', JWKS_KEY] as const;

/** Glob-escapes a key prefix for SCAN MATCH (`*`, `?`, `[`, `]` and `\` are literal). */
export const escapeGlob = (s: string): string => s.replace(/[*?[\]\\]/g, '\\$&');

/**
 * Deletes the introspection read model of one deployment: only keys under its
 * REDIS_KEY_PREFIX that match READ_MODEL_PATTERNS, found with SCAN (never
 * KEYS, never FLUSHDB: the Redis may be shared). The client has no key prefix
 * because SCAN returns full names, which are then deleted as they are.
 */
export class RedisReadModelEraser implements ReadModelEraser {
  constructor(
    private readonly options: Pick<RedisConnectionOptions, 'url' | 'security'> & {
      readonly keyPrefix: string;
    },
  ) {
    if (!options.keyPrefix) throw new TypeError('keyPrefix is required (the Redis is shared)');
  }

  async erase(): Promise<number> {
    const redis = createRedisClient({
      url: this.options.url,
      ...(this.options.security ? { security: this.options.security } : {}),
      connectionName: 'introspection-service-rebuild',
      commandTimeoutMs: 10_000,
    });
    try {
      let erased = 0;
      for (const pattern of READ_MODEL_PATTERNS) {
        const match = escapeGlob(this.options.keyPrefix) + pattern;
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
          if (keys.length) erased += await redis.unlink(...keys);
          cursor = next;
        } while (cursor !== '0');
      }
      return erased;
    } finally {
      await redis.quit().catch(() => redis.disconnect());
    }
  }
}
