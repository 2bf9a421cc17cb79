import { z } from 'zod';
import { positiveInt } from './setting-schemas';

/** The Shared Signals transmitter (issue #19, ADR 0035): streams and SET delivery in session-service. */
export const ssfSettings = {
  SSF_MAX_STREAMS_PER_RECEIVER: {
    schema: positiveInt.max(1000).default(5),
    description:
      'session-service: Shared Signals streams one receiver (client) may own at once; one more is refused with 409. Replicas creating streams for one receiver at the same instant may overshoot by the race (ADR 0035).',
  },
  SSF_MAX_EXCLUDED_SUBJECTS: {
    schema: positiveInt.max(100_000).default(1000),
    description:
      'session-service: subjects a receiver may remove from one stream (POST /ssf/subjects/remove); a stream receives events about every subject it has not removed (ADR 0035).',
  },
  SSF_CONCURRENCY: {
    schema: positiveInt.max(10_000).default(512),
    description:
      "session-service: SET pushes (RFC 8935) in flight at once per replica. A slow receiver holds one slot until SSF_TIMEOUT_MS, never another receiver's.",
  },
  SSF_TIMEOUT_MS: {
    schema: positiveInt.max(60_000).default(5000),
    description:
      'session-service: deadline of one SET push to a receiver (connect, response, body); past it the attempt failed and is retried.',
  },
  SSF_MAX_ATTEMPTS: {
    schema: positiveInt.max(1000).default(12),
    description:
      'session-service: push attempts before a SET delivery is dead-lettered (GET /admin/ssf/dead-letters). A 400 answer with an RFC 8935 error code that retrying cannot fix dead-letters at once.',
  },
  SSF_BACKOFF_BASE_MS: {
    schema: positiveInt.default(1000),
    description:
      'session-service: delay after the first failed SET push; it doubles per failure (with equal jitter) up to SSF_BACKOFF_CAP_MS.',
  },
  SSF_BACKOFF_CAP_MS: {
    schema: positiveInt.default(300_000),
    description: 'session-service: longest delay between two SET push attempts.',
  },
  SSF_POLL_MS: {
    schema: positiveInt.max(60_000).default(1000),
    description:
      "session-service: how often an idle SET dispatcher looks for deliveries that fell due (retries, re-enabled streams, other replicas' work). New SETs wake it at once.",
  },
  SSF_POLL_RETENTION_SECONDS: {
    schema: positiveInt.max(365 * 86_400).default(7 * 86_400),
    description:
      'session-service: seconds a SET waits for a poll receiver (RFC 8936) to fetch and acknowledge it; older ones are dead-lettered.',
  },
  SSF_DELIVERED_RETENTION_DAYS: {
    schema: positiveInt.max(3650).default(7),
    description:
      'session-service: days a delivered SET delivery row is kept (for the admin API) before it is pruned.',
  },
  SSF_MIN_VERIFICATION_INTERVAL_S: {
    schema: z.coerce.number().int().min(0).max(86_400).default(60),
    description:
      "session-service: a stream's `min_verification_interval` (SSF 1.0 8.1.4.2): a verification request (POST /ssf/verify) sooner than this many seconds after the stream's previous one is answered 429 with `Retry-After`. 0 = no limit (the member is then left out of the stream configuration).",
  },
  SSF_SET_ALG: {
    schema: z.enum(['RS256', 'PS256', 'ES256', 'EdDSA']).default('ES256'),
    description:
      'token-service: algorithm of the signed SETs (RFC 8417, `typ: secevent+jwt`); an alg with no active key (SIGNING_KEY_ALGS) falls back to RS256. ES256 by default: a revocation fans out to every receiver at once, and an ES256 signature costs about an eighth of an RS256 one on the signing CPU (receivers verify either with the JWKS).',
  },
} as const;
