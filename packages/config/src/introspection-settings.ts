import { z } from 'zod';
import { positiveInt } from './setting-schemas';

/**
 * introspection-service (RFC 7662, ADR 0010): its per-replica caches and the
 * read-through to token-service.
 * Part of the one settings table (defaults.ts), spread where these rows
 * always were, so docs/configuration.md lists them in the same place.
 */
export const introspectionSettings = {
  INTROSPECTION_CALLER_CACHE_TTL: {
    schema: positiveInt.max(3600).default(60),
    description:
      'introspection-service: seconds an authenticated caller (client_secret_basic/post) is remembered per replica, by a keyed hash of its credentials. Every replica drops them all on any client event; client assertions (client_secret_jwt, private_key_jwt) are single use and never remembered.',
  },
  INTROSPECTION_CHECKED_TOKENS: {
    schema: z.coerce.number().int().min(0).max(1_000_000).default(10_000),
    description:
      'introspection-service: how many tokens per kind (opaque, JWT) a replica remembers as locally checked (valid MAC and storage hash, valid signature), so a repeated token skips the HMACs or the signature check; the record is still read on every request. About 0.5 KB per opaque token and 1 KB per JWT; 0 = check every time.',
  },
  INTROSPECTION_READ_THROUGH_TIMEOUT_MS: {
    schema: positiveInt.max(30_000).default(2000),
    description:
      'introspection-service: deadline of the read-through to token-service on a read-model miss. When it fails the answer is 503 temporarily_unavailable, never an active token.',
  },
} as const;
