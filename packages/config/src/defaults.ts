import { z } from 'zod';

/**
 * Every setting, its environment variable, its default and why. This table
 * is the documentation (docs/configuration.md is generated from the same
 * words); a setting not listed here does not exist.
 */
const port = z.coerce.number().int().min(0).max(65535);
const url = z.string().url();
const list = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);
const positiveInt = z.coerce.number().int().positive();
/**
 * A static Bearer credential (RFC 6750 2.1 b64token) compared by hash, so it
 * must be high-entropy: at least 32 characters, e.g. `openssl rand -base64 32`.
 */
const bearerSecret = z
  .string()
  .min(32, 'must be at least 32 characters (use a random value)')
  .regex(/^[A-Za-z0-9\-._~+/]+=*$/, 'must be a Bearer token (RFC 6750 b64token characters)');

export const settings = {
  PORT: { schema: port, description: 'HTTP port this process listens on.' },
  HOST: {
    schema: z.string().default('127.0.0.1'),
    description: 'Interface to bind (0.0.0.0 in containers).',
  },
  ISSUER: {
    schema: url.default('http://localhost:3000'),
    description: 'Public URL of auth-api; the `iss` of every token.',
  },
  LOG_LEVEL: {
    schema: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
    description: 'NestJS logger level. Tokens and secrets are never logged at any level.',
  },
  DATA_DIR: {
    schema: z.string().default('./data'),
    description: 'Embedded mode: folder for the SQLite event store.',
  },
  DATABASE_URL: {
    schema: url.default('postgres://postgres@127.0.0.1:5432/idp'),
    description: 'Distributed mode: PostgreSQL holding the event store and outbox.',
  },
  DATABASE_SCHEMA: {
    schema: z.string().default('public'),
    description: 'PostgreSQL schema for the event store tables.',
  },
  KAFKA_BROKERS: {
    schema: list.default(['127.0.0.1:9092']),
    description: 'Comma-separated Kafka bootstrap servers.',
  },
  KAFKA_CLIENT_ID: { schema: z.string().default('idp'), description: 'Kafka client id prefix.' },
  KAFKA_TOPIC_PREFIX: {
    schema: z.string().default(''),
    description:
      'Prefix for every topic name and consumer group id (isolates environments sharing a cluster; tests use it).',
  },
  REDIS_URL: {
    schema: url.default('redis://127.0.0.1:6379'),
    description: 'Redis holding the read models.',
  },
  REDIS_KEY_PREFIX: {
    schema: z.string().default('idp:'),
    description: 'Namespace for every Redis key.',
  },
  OUTBOX_SWEEP_MS: {
    schema: positiveInt.default(500),
    description: 'How often the outbox relay sweeps for unpublished events.',
  },
  KEY_ENCRYPTION_KEY: {
    schema: z
      .string()
      .regex(/^[A-Za-z0-9_-]{43}$/, 'must be 32 bytes, base64url')
      .optional(),
    description:
      'token-service: 32-byte key (base64url) that encrypts signing keys at rest. Embedded mode generates one in DATA_DIR if unset; distributed mode requires it.',
  },
  TOKEN_HASH_KEY: {
    schema: z
      .string()
      .regex(/^[A-Za-z0-9_-]{43}$/, 'must be 32 bytes, base64url')
      .optional(),
    description:
      'Key for the keyed hashes (HMAC-SHA-256) that store opaque tokens and MAC them. Same rules as KEY_ENCRYPTION_KEY. token-service, auth-api and introspection-service must share it (introspection checks the MAC and looks tokens up by their keyed hash).',
  },
  SIGNING_KEY_ALGS: {
    schema: list.default(['RS256', 'ES256']),
    description:
      'Signing algorithms to keep an active key for. RS256 is required by OpenID Connect.',
  },
  GRPC_PORT: {
    schema: port.optional(),
    description:
      'token-service (default 50051) and session-service (default 50053): port of the internal gRPC server.',
  },
  TOKEN_SERVICE_GRPC_URL: {
    schema: z.string().default('127.0.0.1:50051'),
    description: "auth-api, introspection-service: host:port of token-service's gRPC server.",
  },
  SESSION_SERVICE_GRPC_URL: {
    schema: z.string().default('127.0.0.1:50053'),
    description: "auth-api: host:port of session-service's gRPC server.",
  },
  CLIENT_CACHE_MS: {
    schema: z.coerce.number().int().min(0).max(60_000).default(1000),
    description:
      "token-service: milliseconds a replica reuses a client's registration and the signing key ring as read from the event store, instead of reading them for every request (ADR 0012). A change takes effect at once on the replica that made it and within this time on the others; deleting a client revokes its grants again once this time has passed, so no replica's late token survives. 0 reads the event store every time.",
  },
  INTROSPECTION_CALLER_CACHE_TTL: {
    schema: positiveInt.max(3600).default(60),
    description:
      'introspection-service: seconds an authenticated caller (client_secret_basic/post) is remembered per replica, by a keyed hash of its credentials. Every replica drops them all on any client event; private_key_jwt assertions are never remembered.',
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
  SEED_FILE: {
    schema: z.string().optional(),
    description:
      'JSON file of clients and users applied at start-up (idempotent): { "clients": [...], "users": [...] }.',
  },
  ACCESS_TOKEN_TTL: {
    schema: positiveInt.default(3600),
    description: 'Access token lifetime, seconds.',
  },
  ID_TOKEN_TTL: { schema: positiveInt.default(3600), description: 'ID token lifetime, seconds.' },
  REFRESH_TOKEN_TTL: {
    schema: positiveInt.default(14 * 86400),
    description: 'Refresh token lifetime, seconds.',
  },
  AUTHORIZATION_CODE_TTL: {
    schema: positiveInt.default(60),
    description: 'Authorization code lifetime, seconds (RFC 6749 recommends at most 10 minutes).',
  },
  SESSION_IDLE_TTL: {
    schema: positiveInt.default(8 * 3600),
    description:
      'SSO session idle lifetime, seconds: the session ends this long after it was last used (reused at /authorize, or a client received tokens in it).',
  },
  SESSION_ABSOLUTE_TTL: {
    schema: positiveInt.default(7 * 86400),
    description: 'SSO session absolute lifetime, seconds: use never extends a session past it.',
  },
  SESSION_IDLE_EXTENSION_INTERVAL: {
    schema: positiveInt.default(60),
    description:
      "session-service: seconds between two extensions of a session's idle expiry. Using a session writes a `session.extended` event only when this long (or a quarter of SESSION_IDLE_TTL, if shorter) has passed since the last one, so busy sessions do not write an event per request.",
  },
  LOGOUT_OFFLINE_GRANTS: {
    schema: z.enum(['revoke', 'keep']).default('revoke'),
    description:
      'token-service: what logout (any end of an SSO session) does to grants that include `offline_access`. `revoke`: every grant of the session is revoked, refresh tokens included. `keep`: grants whose refresh token was issued with offline_access survive (OIDC Core 11: access while the user is not logged in); all others, and unredeemed codes, are revoked.',
  },
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
  ALLOW_PLAIN_PKCE: {
    schema: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    description:
      'Accept code_challenge_method=plain. Off by default: S256 is the only safe method.',
  },
  INITIAL_ACCESS_TOKEN: {
    schema: bearerSecret.optional(),
    description:
      'auth-api: the initial access token (RFC 7591 3) that POST /register requires as a Bearer token. Unset: dynamic client registration is disabled and not advertised in discovery.',
  },
  ADMIN_TOKEN: {
    schema: bearerSecret.optional(),
    description:
      'auth-api: Bearer token of the admin API (/admin/clients, /admin/users). Unset: the admin API is disabled (404).',
  },
} as const;

export type SettingName = keyof typeof settings;
export type Config = { [K in SettingName]: z.output<(typeof settings)[K]['schema']> };
