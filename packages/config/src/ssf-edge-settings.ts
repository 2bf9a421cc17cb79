import { z } from 'zod';

/** The Shared Signals API at auth-api (issue #19, ADR 0036): the receivers' public edge. */
export const ssfEdgeSettings = {
  RATE_LIMIT_SSF: {
    schema: z.coerce.number().min(0).max(1_000_000).default(20),
    description:
      'auth-api: the Shared Signals API (/ssf/*: streams, status, subjects, verification, RFC 8936 poll), requests per second per client IP and per receiver (client); 0 = off. Over it: 429 with `Retry-After`.',
  },
  SSF_POLL_WAIT_MS: {
    schema: z.coerce.number().int().min(1).max(30_000).default(15_000),
    description:
      'auth-api: how long an RFC 8936 poll with `returnImmediately: false` is held open while its stream has no SET pending; it is answered as soon as one is queued, else with no SETs at the bound. The RPC deadline to session-service is this plus 5 s; an edge proxy in front of auth-api must allow at least this long a request.',
  },
} as const;
