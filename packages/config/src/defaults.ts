import { z } from 'zod';
import { abuseControlSettings } from './abuse-control-settings';
import { dpopSettings } from './dpop-settings';
import { ssfEdgeSettings } from './ssf-edge-settings';
import { ssfSettings } from './ssf-settings';
import { tokenExchangeSettings } from './token-exchange-settings';
import { positiveInt } from './setting-schemas';

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
  ADMIN_PORT: {
    schema: port.optional(),
    description:
      'Port of the admin listener, the only one serving `/admin/*`, `/metrics` and `/health/*` (404 on PORT; docs/operations/admin.md). Each app has its own default; 0 = any free port.',
  },
  ADMIN_HOST: {
    schema: z.string().default('127.0.0.1'),
    description:
      'Interface the admin listener binds: loopback by default, so only the host itself reaches it; 0.0.0.0 in containers, where probes and Prometheus come from outside the pod (keep it off any public Service or Ingress).',
  },
  ISSUER: {
    schema: url.default('http://localhost:3000'),
    description: 'Public URL of auth-api; the `iss` of every token.',
  },
  LOG_LEVEL: {
    schema: z
      .enum(['error', 'warn', 'info', 'debug', 'trace', 'silent', 'log', 'verbose'])
      .default('info')
      // NestJS's names, accepted so deployments configured before issue #14 keep their meaning.
      .transform((level) => (level === 'log' ? 'info' : level === 'verbose' ? 'trace' : level)),
    description:
      'Least severe level written: `error`, `warn`, `info`, `debug` or `trace` (`silent`: nothing, for tests). The former NestJS names still work: `log` means `info` and `verbose` means `trace`. Every app logs JSON lines with `request_id` (docs/operations/logs.md); tokens, codes, secrets, passwords, cookies and bodies are never logged at any level, `trace` included.',
  },
  LOG_FORMAT: {
    schema: z.enum(['json', 'pretty']).optional(),
    description:
      '`json`: one JSON object per line on stdout (what log collectors read). `pretty`: coloured, human-readable lines. Unset: `pretty` when stdout is a terminal, `json` otherwise.',
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
  DATABASE_SSL: {
    schema: z.enum(['disable', 'require', 'verify-ca', 'verify-full']).optional(),
    description:
      "TLS to PostgreSQL (event store, outbox, back-channel delivery table), libpq's modes: `disable`; `require` (encrypted, server not verified); `verify-ca` (certificate chains to DATABASE_SSL_CA_FILE or the system CAs, any host name); `verify-full` (and the host name matches; use this for a managed database). Unset: whatever `sslmode` in DATABASE_URL says (plaintext without it). Setting both this and `sslmode` is an error.",
  },
  DATABASE_SSL_CA_FILE: {
    schema: z.string().optional(),
    description:
      "PEM file of the CA(s) that sign the PostgreSQL server's certificate (e.g. the cloud provider's bundle), for DATABASE_SSL `verify-ca` or `verify-full`. Unset: Node's built-in CAs.",
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
  KAFKA_SESSION_TIMEOUT_MS: {
    schema: z.coerce.number().int().min(1000).max(300_000).default(10_000),
    description:
      "Kafka consumer session timeout: how long the group coordinator waits for heartbeats before it declares a member dead and hands its partitions to the others. After a crash (kill -9, OOM, lost node) the dead member holds its partitions, and a restarted process cannot take them over, until this expires; events of those partitions wait that long (serving does not: consumers join in the background, docs/operations/restarts.md). Shorter = faster takeover after a crash, but a member that misses heartbeats for this long (a GC or event-loop pause, a slow network) is expelled and the group rebalances for nothing. Must lie within the broker's `group.min.session.timeout.ms` (default 6000) and `group.max.session.timeout.ms` (default 1800000).",
  },
  KAFKA_HEARTBEAT_INTERVAL_MS: {
    schema: positiveInt.max(100_000).default(3000),
    description:
      'Kafka consumer heartbeat interval. Must be below KAFKA_SESSION_TIMEOUT_MS; keep it at a third or less of it, so two lost heartbeats do not expel a live member.',
  },
  KAFKA_REBALANCE_TIMEOUT_MS: {
    schema: z.coerce.number().int().min(1000).max(600_000).default(60_000),
    description:
      'Kafka consumer rebalance timeout: how long the coordinator waits for every live member to rejoin during a rebalance. A member busy with a slow event handler rejoins once the handler returns, so this bounds a rebalance, not a crash takeover (that is KAFKA_SESSION_TIMEOUT_MS).',
  },
  KAFKA_SSL: {
    schema: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    description:
      "TLS to the Kafka brokers (the broker's certificate and host name are verified). Managed Kafka services require it.",
  },
  KAFKA_SSL_CA_FILE: {
    schema: z.string().optional(),
    description:
      "PEM file of the CA(s) that sign the brokers' certificates (e.g. Strimzi's `<cluster>-cluster-ca-cert`). Needs KAFKA_SSL=true; unset: Node's built-in CAs.",
  },
  KAFKA_SASL_MECHANISM: {
    schema: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
    description:
      'SASL authentication to the brokers, with KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD. `scram-sha-256`/`scram-sha-512` (Strimzi `scram-sha-512`, Amazon MSK, Aiven); `plain` sends the password itself and is refused without KAFKA_SSL=true. Unset: no SASL.',
  },
  KAFKA_SASL_USERNAME: {
    schema: z.string().optional(),
    description: 'SASL user name (with KAFKA_SASL_MECHANISM).',
  },
  KAFKA_SASL_PASSWORD: {
    schema: z.string().optional(),
    description: 'SASL password (with KAFKA_SASL_MECHANISM).',
  },
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
    schema: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    description: 'Redis Sentinel: talk TLS to the sentinels too (with REDIS_TLS_CA_FILE, if set).',
  },
  OUTBOX_SWEEP_MS: {
    schema: positiveInt.default(500),
    description: 'How often the outbox relay sweeps for unpublished events.',
  },
  SHUTDOWN_TIMEOUT_MS: {
    schema: z.coerce.number().int().min(1000).max(600_000).default(10_000),
    description:
      "How long the graceful shutdown on SIGTERM or SIGINT may take (readiness off, HTTP and gRPC drained, consumers stopped, outbox flushed, stores closed: docs/operations/restarts.md). Past it the process logs what was still pending and exits 1. Keep it below the orchestrator's grace period (Kubernetes: terminationGracePeriodSeconds, default 30 s, minus any preStop sleep).",
  },
  KEY_ENCRYPTION_KEY: {
    schema: z
      .string()
      .regex(/^[A-Za-z0-9_-]{43}$/, 'must be 32 bytes, base64url')
      .optional(),
    description:
      'token-service: 32-byte key (base64url) that encrypts signing keys at rest, and the secrets of client_secret_jwt clients (the only client secrets stored reversibly: their assertions are HMACs keyed by the secret, ADR 0031). Changing it makes those clients fail authentication (invalid_client) until their secrets are rotated. Embedded mode generates one in DATA_DIR if unset; distributed mode requires it.',
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
  GRPC_MAX_CONNECTION_AGE_MS: {
    schema: z.coerce.number().int().min(1_000).max(86_400_000).default(300_000),
    description:
      'token-service, session-service: milliseconds after which the gRPC server asks a client to reconnect (GOAWAY, calls in flight finish). Reconnecting clients resolve `dns:///` targets anew, so replicas added by a scale-up receive calls within this time.',
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
  SEED_FILE: {
    schema: z.string().optional(),
    description:
      'JSON file of resource servers, clients and users applied at start-up (idempotent): { "resources": [...], "clients": [...], "users": [...] }. A client\'s `resources` (at most 10 absolute URIs without fragment) are the RFC 8707 `resource` values it may send to /authorize and /token; each value sent must also be a resource server of the `resources` section, whose registration decides the format and JWE recipient of that resource\'s tokens (README, docs/adr/0030-resource-indicators.md).',
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
  DEVICE_CODE_TTL: {
    schema: positiveInt.max(3600).default(600),
    description:
      'Device authorization grant (RFC 8628): lifetime of a device_code and its user_code, seconds (`expires_in`). The user must enter the code and approve within it.',
  },
  DEVICE_POLL_INTERVAL: {
    schema: positiveInt.max(60).default(5),
    description:
      'Device authorization grant: the seconds a device must wait between two polls of /token (`interval`). A poll sooner is `slow_down` and adds 5 seconds for the rest of that flow (RFC 8628 3.5); tracked in Redis (distributed) or memory (embedded) and in the event log, so every replica agrees.',
  },
  DEVICE_USER_CODE_LENGTH: {
    schema: positiveInt.min(8).max(12).default(8),
    description:
      'Device authorization grant: characters of a user_code, from 20 consonants (BCDFGHJKLMNPQRSTVWXZ), shown in two halves (XXXX-XXXX). 8 gives 20^8 ≈ 2.6 × 10^10 codes; with DEVICE_USER_CODE_IP_FAILURES a guess is hopeless.',
  },
  DEVICE_USER_CODE_IP_FAILURES: {
    schema: positiveInt.max(1000).default(10),
    description:
      'auth-api: wrong user codes one client IP may enter on the verification page within DEVICE_USER_CODE_WINDOW_SECONDS before it is locked out for that window (brute-force guard; counted in Redis or memory like sign-ins).',
  },
  DEVICE_USER_CODE_CODE_FAILURES: {
    schema: positiveInt.max(100).default(5),
    description:
      'auth-api: refused attempts on one user code (entered while expired or already answered, or a confirmation with a forged form) before that code is locked for DEVICE_USER_CODE_WINDOW_SECONDS, whichever IPs they come from.',
  },
  DEVICE_USER_CODE_WINDOW_SECONDS: {
    schema: positiveInt.max(86400).default(900),
    description:
      'auth-api: how long the user-code failures of an IP or a code are remembered, and how long a lock lasts.',
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
  // Sign-in throttling, the password-check gate and rate limits (ADR 0016).
  ...abuseControlSettings,
  TRUST_PROXY: {
    schema: z.coerce.number().int().min(0).max(10).default(0),
    description:
      'auth-api and introspection-service: reverse proxies in front of the service that append to `X-Forwarded-For`. 0: the client IP of throttling and rate limits is the socket peer and the header is ignored (it is forgeable). N: the N-th address from the right of `X-Forwarded-For` (the one the outermost trusted proxy saw).',
  },
  OUTBOUND_ALLOW: {
    schema: list.default([]),
    description:
      'Hosts and address blocks that outbound calls (back-channel logout POSTs, jwks_uri fetches) may reach although they are internal, comma-separated: a host name (`rp.internal`), `*.domain`, an IP address or a CIDR block (`10.0.0.0/8`, `fd00::/8`). Otherwise every call, and every registered backchannel_logout_uri and jwks_uri, must go to a public address: loopback, private (RFC 1918, ULA), link-local, CGNAT, multicast, unspecified and the other special-purpose blocks are refused, and so are names such as `*.internal`, `*.local`, `*.svc` and single-label names. Loopback is also allowed when ISSUER itself is a loopback URL (local development, tests). For development and tests only; a malformed entry stops the process (docs/security.md).',
  },
  OUTBOUND_TIMEOUT_MS: {
    schema: positiveInt.max(60_000).default(5000),
    description:
      'Deadline of an outbound call other than a back-channel logout POST (which has BACKCHANNEL_TIMEOUT_MS): connect, response and body, e.g. fetching the jwks_uri of a client.',
  },
  OUTBOUND_CONNECT_TIMEOUT_MS: {
    schema: positiveInt.max(60_000).default(3000),
    description:
      'Deadline for opening the connection (TCP and TLS) of any outbound call; the deadline of the call still bounds the whole exchange.',
  },
  OUTBOUND_MAX_RESPONSE_BYTES: {
    schema: positiveInt.max(10 * 1024 * 1024).default(256 * 1024),
    description:
      'Largest response body an outbound call reads (a jwks_uri document; a back-channel logout answer, which is discarded). A larger one fails the call.',
  },
  ALLOW_PLAIN_PKCE: {
    schema: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    description:
      'Accept code_challenge_method=plain. Off by default: S256 is the only safe method.',
  },
  PAR_REQUEST_URI_TTL: {
    schema: positiveInt.max(600).default(60),
    description:
      'auth-api: seconds a `request_uri` from the pushed authorization request endpoint (`POST /par`, RFC 9126) stays redeemable at /authorize (once). Short: the client redirects the browser right after pushing.',
  },
  REQUIRE_PUSHED_AUTHORIZATION_REQUESTS: {
    schema: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    description:
      'auth-api: `true` makes every client send its authorization request through `POST /par` (RFC 9126 5): /authorize then refuses a request without a pushed `request_uri`, and discovery says `require_pushed_authorization_requests: true`. `false`: only clients registered with `require_pushed_authorization_requests` must.',
  },
  // Sender-constrained access tokens (RFC 9449, ADR 0027).
  ...dpopSettings,
  ...tokenExchangeSettings,
  ...ssfSettings,
  // The Shared Signals API's edge (ADR 0036).
  ...ssfEdgeSettings,
  INITIAL_ACCESS_TOKEN: {
    schema: bearerSecret.optional(),
    description:
      'auth-api: the initial access token (RFC 7591 3) that POST /register requires as a Bearer token. Unset: dynamic client registration is disabled and not advertised in discovery.',
  },
  ADMIN_TOKEN: {
    schema: bearerSecret.optional(),
    description:
      'auth-api: a static Bearer token of the admin API (on ADMIN_PORT), a shared break-glass credential; its events name the actor `admin_token`. Unset: only access tokens of clients granted `idp:admin` or `idp:admin.read` open the admin API (docs/operations/admin.md).',
  },
} as const;

export type SettingName = keyof typeof settings;
export type Config = { [K in SettingName]: z.output<(typeof settings)[K]['schema']> };
