import { z } from 'zod';
import { positiveInt } from './setting-schemas';

/**
 * The abuse controls' settings (ADR 0016): the password-check admission
 * gate, sign-in throttling and locks, and the per-endpoint rate limits. Part
 * of the one settings table (defaults.ts), in the same place in it, so
 * docs/configuration.md lists them where it always did.
 */
export const abuseControlSettings = {
  PASSWORD_CHECK_CONCURRENCY: {
    schema: positiveInt.max(64).optional(),
    description:
      'token-service: password checks (scrypt, ~128 MiB and ~100 ms of CPU each) running at once per process. Unset: the CPU count (`os.availableParallelism()`), at most 2, so a 512Mi process keeps its peak under the limit whatever arrives; each more needs ~128 MiB more memory (docs/adr/0016-abuse-controls.md).',
  },
  PASSWORD_CHECK_QUEUE: {
    schema: z.coerce.number().int().min(0).max(10_000).default(16),
    description:
      'token-service: password checks waiting for a slot (they cost no memory while they wait). One more is answered at once: the login page says "try again shortly" (503 + `Retry-After`).',
  },
  PASSWORD_CHECK_QUEUE_TIMEOUT_MS: {
    schema: positiveInt.max(60_000).default(2000),
    description:
      "token-service: a queued password check that got no slot within this is refused like a full queue, so the answer arrives well inside auth-api's 5 s RPC deadline.",
  },
  LOGIN_THROTTLE_FREE_FAILURES: {
    schema: z.coerce.number().int().min(0).max(1000).default(5),
    description:
      'auth-api: failed sign-ins per username (whether or not it exists) before each further attempt must wait a growing delay (LOGIN_THROTTLE_DELAY_MS, doubling). Counted in Redis (distributed) or memory (embedded), so every replica sees the same count; a correct password clears it.',
  },
  LOGIN_THROTTLE_IP_FREE_FAILURES: {
    schema: z.coerce.number().int().min(0).max(100_000).default(10),
    description:
      'auth-api: failed sign-ins per client IP (any usernames) before further attempts from it wait a growing delay. Higher than per username: many people may share one address. An IP is only ever delayed, never locked.',
  },
  LOGIN_CONCURRENCY_PER_IP: {
    schema: positiveInt.max(1000).default(2),
    description:
      "auth-api: sign-ins from one client IP whose password check is in flight at once, per replica. One more is answered at once with the login page (429 + `Retry-After`) and not counted as a failure, so one source can never fill token-service's shared queue of checks and everyone else's sign-ins keep their place.",
  },
  LOGIN_THROTTLE_DELAY_MS: {
    schema: positiveInt.max(3_600_000).default(1000),
    description:
      'auth-api: the first delay after the free failures; it doubles with each further failure up to LOGIN_THROTTLE_MAX_DELAY_MS. An attempt during a delay is answered at once (the login page, 429 + `Retry-After`) without checking the password.',
  },
  LOGIN_THROTTLE_MAX_DELAY_MS: {
    schema: positiveInt.max(86_400_000).default(60_000),
    description: 'auth-api: the longest delay between two sign-in attempts of one username or IP.',
  },
  LOGIN_LOCK_FAILURES: {
    schema: z.coerce.number().int().min(0).max(100_000).default(10),
    description:
      'auth-api: failed sign-ins of one username that lock it for LOGIN_LOCK_SECONDS (0 = never lock). The locked page is the same whether or not the username exists; a lock and an admin unlock (`POST /admin/users/:sub/unlock`) are `login.locked`/`login.unlocked` events.',
  },
  LOGIN_LOCK_SECONDS: {
    schema: positiveInt.max(86_400 * 30).default(900),
    description: 'auth-api: how long a locked username stays locked.',
  },
  LOGIN_THROTTLE_WINDOW_SECONDS: {
    schema: positiveInt.max(86_400 * 30).default(900),
    description:
      'auth-api: failures of a username or IP are forgotten this long after the last attempt.',
  },
  RATE_LIMIT_TOKEN: {
    schema: z.coerce.number().min(0).max(1_000_000).default(200),
    description:
      'auth-api: POST /token, requests per second per client IP and per authenticated client (token buckets holding RATE_LIMIT_BURST_SECONDS × this). Over it: 429 with `Retry-After` and `{"error": "temporarily_unavailable"}`; 0 = off.',
  },
  RATE_LIMIT_INTROSPECT: {
    schema: z.coerce.number().min(0).max(1_000_000).default(1000),
    description:
      'introspection-service: POST /introspect, requests per second per client IP and per authenticated caller; 0 = off. A per-replica bucket answers on the hot path; replicas exchange their counts through Redis every RATE_LIMIT_SYNC_MS (docs/adr/0016-abuse-controls.md).',
  },
  RATE_LIMIT_REVOKE: {
    schema: z.coerce.number().min(0).max(1_000_000).default(100),
    description:
      'auth-api: POST /revoke, requests per second per client IP and per authenticated client; 0 = off.',
  },
  RATE_LIMIT_REGISTER: {
    schema: z.coerce.number().min(0).max(1_000_000).default(5),
    description:
      'auth-api: /register (dynamic registration and its management), requests per second per client IP; 0 = off.',
  },
  RATE_LIMIT_USERINFO: {
    schema: z.coerce.number().min(0).max(1_000_000).default(200),
    description: 'auth-api: /userinfo, requests per second per client IP; 0 = off.',
  },
  RATE_LIMIT_AUTHORIZE: {
    schema: z.coerce.number().min(0).max(1_000_000).default(50),
    description:
      'auth-api: /authorize and the login and consent pages, requests per second per client IP; also POST /par (RFC 9126), per client IP and per authenticated client; 0 = off.',
  },
  RATE_LIMIT_BURST_SECONDS: {
    schema: z.coerce.number().positive().max(3600).default(2),
    description:
      'Every rate limit allows a burst of this many seconds of its rate (the token bucket holds rate × this); a client that stays under its rate on average is never refused.',
  },
  RATE_LIMIT_SYNC_MS: {
    schema: positiveInt.max(10_000).default(100),
    description:
      "Distributed mode: how often each replica adds its rate-limit counts to Redis and subtracts the other replicas' from its own buckets. Requests are decided locally, so N replicas may together let through up to N × rate × this much more than the limit between two exchanges.",
  },
} as const;
