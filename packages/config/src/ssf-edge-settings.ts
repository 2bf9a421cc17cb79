import { z } from 'zod';

/** The Shared Signals API at auth-api (issue #19, ADR 0036): the receivers' public edge. */
export const ssfEdgeSettings = {
  RATE_LIMIT_SSF: {
    schema: z.coerce.number().min(0).max(1_000_000).default(20),
    description:
      'auth-api: the Shared Signals API (/ssf/*: streams, status, subjects, verification, RFC 8936 poll), requests per second per client IP and per receiver (client); 0 = off. Over it: 429 with `Retry-After`.',
  },
} as const;
