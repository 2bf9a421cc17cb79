import { z } from 'zod';
import { abuseControlSettings } from './abuse-control-settings';
import { backchannelLogoutSettings } from './backchannel-logout-settings';
import { databaseSettings } from './database-settings';
import { deviceGrantSettings } from './device-grant-settings';
import { dpopSettings } from './dpop-settings';
import { introspectionSettings } from './introspection-settings';
import { kafkaSettings } from './kafka-settings';
import { outboundSettings } from './outbound-settings';
import { pushedAuthorizationRequestSettings } from './pushed-authorization-request-settings';
import { redisSettings } from './redis-settings';
import { refreshReuseSettings } from './refresh-reuse-settings';
import { ssfEdgeSettings } from './ssf-edge-settings';
import { ssfSettings } from './ssf-settings';
import { tokenExchangeSettings } from './token-exchange-settings';
import { list, offByDefault, positiveInt, url } from './setting-schemas';

const port = z.coerce.number().int().min(0).max(65535);
/**
 * A static Bearer credential (RFC 6750 2.1 b64token) compared by hash, so it
 * must be high-entropy: at least 32 characters, e.g. `openssl rand -base64 32`.
 */
const bearerSecret = z
  .string()
  .min(32, 'must be at least 32 characters (use a random value)')
  .regex(/^[A-Za-z0-9\-._~+/]+=*$/, 'must be a Bearer token (RFC 6750 b64token characters)');

/**
 * Every setting, its environment variable, its default and why. This table
 * is the documentation (docs/configuration.md is generated from the same
 * words, in this order); a setting not listed here does not exist. A
 * feature's cohesive group of settings lives in its own module
 * (`<feature>-settings.ts`), spread here where its rows belong.
 */
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
  ...databaseSettings,
  ...kafkaSettings,
  ...redisSettings,
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
      'token-service: 32-byte key (base64url) that encrypts signing keys at rest, and the secrets of client_secret_jwt clients (the only client secrets stored reversibly: their assertions are HMACs keyed by the secret, ADR 0031). Changing it makes those clients fail authentication (invalid_client) until their secrets are rotated. session-service (the same value): seals the authorization headers of Shared Signals push receivers (ADR 0035); without it, a stream with an authorization_header is refused. Embedded mode generates one in DATA_DIR if unset; distributed mode requires it for token-service.',
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
  ...introspectionSettings,
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
  ...deviceGrantSettings,
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
  ...backchannelLogoutSettings,
  // Sign-in throttling, the password-check gate and rate limits (ADR 0016).
  ...abuseControlSettings,
  TRUST_PROXY: {
    schema: z.coerce.number().int().min(0).max(10).default(0),
    description:
      'auth-api and introspection-service: reverse proxies in front of the service that append to `X-Forwarded-For`. 0: the client IP of throttling and rate limits is the socket peer and the header is ignored (it is forgeable). N: the N-th address from the right of `X-Forwarded-For` (the one the outermost trusted proxy saw).',
  },
  ...outboundSettings,
  ALLOW_PLAIN_PKCE: {
    schema: offByDefault,
    description:
      'Accept code_challenge_method=plain. Off by default: S256 is the only safe method.',
  },
  ...pushedAuthorizationRequestSettings,
  // Refresh-token reuse answered as theft (ADR 0038).
  ...refreshReuseSettings,
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
