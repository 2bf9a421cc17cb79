import { positiveInt } from './setting-schemas';

/**
 * Back-Channel Logout (ADR 0011): logout token lifetime and
 * session-service's delivery of the POSTs (concurrency, deadline, retries,
 * retention).
 * Part of the one settings table (defaults.ts), spread where these rows
 * always were, so docs/configuration.md lists them in the same place.
 */
export const backchannelLogoutSettings = {
  BACKCHANNEL_LOGOUT_TOKEN_TTL: {
    schema: positiveInt.max(3600).default(120),
    description:
      'Back-Channel Logout: lifetime of a logout token, seconds. Every attempt signs a fresh one (same jti), so this only has to cover one POST.',
  },
  BACKCHANNEL_CONCURRENCY: {
    schema: positiveInt.max(10_000).default(64),
    description:
      'session-service: back-channel logout POSTs in flight at once per replica. A slow RP holds one slot, never the others.',
  },
  BACKCHANNEL_TIMEOUT_MS: {
    schema: positiveInt.max(60_000).default(5000),
    description:
      'session-service: deadline of one back-channel logout POST (connect to response). A timeout is a failed attempt.',
  },
  BACKCHANNEL_MAX_ATTEMPTS: {
    schema: positiveInt.max(1000).default(20),
    description:
      'session-service: attempts per back-channel logout delivery before it is dead-lettered (visible in the admin API and metrics, retryable from there).',
  },
  BACKCHANNEL_BACKOFF_BASE_MS: {
    schema: positiveInt.default(1000),
    description:
      'session-service: delay after the first failed back-channel logout attempt; it doubles per failure (with equal jitter) up to BACKCHANNEL_BACKOFF_CAP_MS.',
  },
  BACKCHANNEL_BACKOFF_CAP_MS: {
    schema: positiveInt.default(300_000),
    description: 'session-service: longest delay between two back-channel logout attempts.',
  },
  BACKCHANNEL_DELIVERED_RETENTION_DAYS: {
    schema: positiveInt.max(3650).default(7),
    description:
      'session-service: days a delivered back-channel logout stays in the delivery table before it is pruned (hourly). Pending and dead-lettered deliveries are never pruned; the session streams keep the history either way.',
  },
  BACKCHANNEL_POLL_MS: {
    schema: positiveInt.max(60_000).default(1000),
    description:
      'session-service: longest sleep of the back-channel dispatcher between looks for due deliveries (new deliveries wake it at once; this catches rows of other replicas and retries that fell due).',
  },
} as const;
