import { z } from 'zod';
import { actorSchema } from '../actor';
import { confirmation } from '../events/common';
import { claimsRequest } from '../events/grant.events';

/**
 * The synchronous commands and queries auth-api sends to token-service, as
 * zod schemas (request → response). `@idp/rpc` turns them into a typed
 * client over gRPC or in-process calls. Secrets and tokens cross this
 * boundary only inside the cluster (mTLS in production, ADR 0005).
 */
const jwk = z.record(z.string(), z.json());
const stringMap = z.record(z.string(), z.string());

export const clientAuthentication = z.object({
  /** How the client authenticated at the HTTP edge (RFC 6749 2.3, OIDC Core 9). */
  method: z.enum([
    'client_secret_basic',
    'client_secret_post',
    'client_secret_jwt',
    'private_key_jwt',
    'none',
  ]),
  clientId: z.string().max(200).optional(),
  secret: z.string().max(500).optional(),
  assertion: z.string().max(8192).optional(),
});
export type ClientAuthentication = z.output<typeof clientAuthentication>;

/**
 * The longest request object (RFC 9101) accepted by value or fetched from a
 * request_uri: /authorize's limit for the `request` parameter
 * (MAX_LONG_PARAM_LENGTH), so one bound holds for both ways of sending it.
 */
export const MAX_REQUEST_OBJECT_LENGTH = 8192;
/** RFC 9101 5.2: "SHOULD NOT exceed 512 ASCII characters"; we allow some slack for registered ones. */
export const MAX_REQUEST_URI_LENGTH = 2048;

export const tokenResponse = z.object({
  access_token: z.string(),
  /** DPoP when the access token is bound to the request's DPoP key (RFC 9449 5). */
  token_type: z.enum(['Bearer', 'DPoP']),
  expires_in: z.number().int(),
  refresh_token: z.string().optional(),
  id_token: z.string().optional(),
  scope: z.string().optional(),
  /** RFC 8693 2.2.1: what a token exchange issued (access token or JWT). */
  issued_token_type: z.string().optional(),
});
export type TokenResponse = z.output<typeof tokenResponse>;

export const tokenRpcMethods = {
  jwks: { request: z.object({}), response: z.object({ keys: z.array(jwk) }) },
  getClient: {
    request: z.object({ clientId: z.string().max(200) }),
    /** Public metadata only: never the secret hash. */
    response: z.object({ client: z.record(z.string(), z.json()).nullable() }),
  },
  authenticateUser: {
    request: z.object({ username: z.string().max(200), password: z.string().max(1000) }),
    response: z.object({ sub: z.string().nullable() }),
  },
  /** auth-api locked a username after too many failed sign-ins: the `login.locked` audit event (ADR 0016). */
  recordLoginLock: {
    request: z.object({
      key: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
      until: z.number().int().nonnegative(),
      failures: z.number().int().positive(),
    }),
    response: z.object({}),
  },
  authorize: {
    request: z.object({
      clientId: z.string(),
      sub: z.string(),
      sid: z.string(),
      authTime: z.number().int(),
      amr: z.array(z.string()),
      acr: z.string().optional(),
      scope: z.array(z.string()),
      redirectUri: z.string(),
      /**
       * Whether redirect_uri was in the authorization request (RFC 6749 4.1.3:
       * the token request must then repeat it). Defaults to true, the stricter
       * rule, so a caller from before the field existed stays safe.
       */
      redirectUriSupplied: z.boolean().default(true),
      responseType: z.string(),
      nonce: z.string().optional(),
      state: z.string().optional(),
      codeChallenge: z.string().optional(),
      codeChallengeMethod: z.enum(['S256', 'plain']).optional(),
      /** RFC 8707 resource indicators the request named (auth-api checked them against the client). */
      resources: z.array(z.string().max(2000)).max(10).default([]),
      /** The OIDC `claims` request parameter (Core 5.5), as auth-api parsed it. */
      claimsRequest: claimsRequest.optional(),
    }),
    response: z.object({
      code: z.string().optional(),
      access_token: z.string().optional(),
      token_type: z.literal('Bearer').optional(),
      expires_in: z.number().int().optional(),
      id_token: z.string().optional(),
      scope: z.string().optional(),
    }),
  },
  token: {
    request: z.object({
      params: stringMap,
      clientAuth: clientAuthentication,
      /** The token endpoint URL, the audience of client assertions (RFC 7523 3). */
      endpoint: z.string(),
      /**
       * What the request proved possession of, checked at the edge: the
       * thumbprint of its DPoP proof's key (RFC 9449 4.3) and of the client
       * certificate a trusted TLS proxy forwarded (RFC 8705 3). Absent: neither.
       */
      cnf: confirmation.optional(),
    }),
    response: tokenResponse,
  },
  /**
   * RFC 8628 3.1: a device authorization request. token-service
   * authenticates the client as at /token, checks the grant type is allowed
   * for it and the scope within its registration; auth-api passes only the
   * scopes it knows (unknown ones dropped, as at /authorize) and builds the
   * verification URIs.
   */
  deviceAuthorization: {
    request: z.object({
      clientAuth: clientAuthentication,
      /** The device authorization endpoint URL, an audience of client assertions. */
      endpoint: z.string(),
      scope: z.array(z.string().max(200)).max(100),
      scopeRequested: z.boolean(),
    }),
    response: z.object({
      device_code: z.string(),
      user_code: z.string(),
      expires_in: z.number().int().positive(),
      interval: z.number().int().positive(),
      scope: z.string(),
    }),
  },
  /** The verification page: the pending request a user code names (null: unknown, expired, answered). */
  devicePending: {
    request: z.object({ userCode: z.string().max(64) }),
    response: z.object({
      request: z
        .object({ clientId: z.string(), clientName: z.string(), scope: z.string() })
        .nullable(),
    }),
  },
  /** The user's answer on the verification page, with the SSO session that gave it. */
  deviceDecision: {
    request: z.object({
      userCode: z.string().max(64),
      approve: z.boolean(),
      sub: z.string().min(1).max(200),
      sid: z.string().min(1).max(200),
      authTime: z.number().int().nonnegative(),
      amr: z.array(z.string().max(50)).max(10),
      acr: z.string().max(200).optional(),
    }),
    response: z.object({}),
  },
  userinfo: {
    request: z.object({
      accessToken: z.string().max(16_384),
      /** The Authorization scheme the token came with (RFC 6750 or RFC 9449 7.1). */
      scheme: z.enum(['Bearer', 'DPoP']).default('Bearer'),
      /** The verified DPoP proof's key (scheme DPoP) and the client certificate's thumbprint, to match the token's cnf. */
      cnf: confirmation.optional(),
    }),
    response: z.union([
      z.object({ format: z.literal('json'), claims: z.record(z.string(), z.json()) }),
      z.object({ format: z.literal('jwt'), jwt: z.string() }),
    ]),
  },
  /**
   * Client authentication for endpoints served elsewhere (introspection-service,
   * RFC 7662 2.1). Unknown client, wrong secret or bad assertion: invalid_client.
   */
  authenticateClient: {
    request: z.object({ clientAuth: clientAuthentication, endpoint: z.string() }),
    response: z.object({ clientId: z.string() }),
  },
  /**
   * Client authentication at the pushed authorization request endpoint
   * (RFC 9126 2.1): every method /token accepts, `none` for public clients
   * included. `endpoints`: the PAR and token endpoint URLs, which a
   * private_key_jwt assertion may name as its audience besides the issuer.
   * Answers the client's public metadata for the /authorize validation.
   */
  authenticatePushingClient: {
    request: z.object({
      clientAuth: clientAuthentication,
      endpoints: z.array(z.string().max(2048)).min(1).max(2),
    }),
    response: z.object({ client: z.record(z.string(), z.json()) }),
  },
  /**
   * A request object (RFC 9101, OIDC Core 6) of `clientId`, sent by value
   * (`request`) or by reference (`requestUri`, one of the client's registered
   * request_uris, fetched here through the guarded outbound client), verified
   * with the client's keys. Answers the authorization parameters it carries
   * (JWT claims dropped, every value a string); any failure is
   * invalid_request_object, invalid_request_uri or request_uri_not_supported.
   */
  requestObject: {
    /** Exactly one of `request` and `requestUri` (the caller refuses both together). */
    request: z
      .object({
        clientId: z.string().max(200),
        request: z.string().max(MAX_REQUEST_OBJECT_LENGTH).optional(),
        requestUri: z.string().max(MAX_REQUEST_URI_LENGTH).optional(),
      })
      .refine((r) => (r.request === undefined) !== (r.requestUri === undefined), {
        message: 'exactly one of request and requestUri',
      }),
    /** Values are strings; a repeatable parameter (RFC 8707 `resource`) may be a list. */
    response: z.object({
      params: z.record(z.string(), z.union([z.string(), z.array(z.string()).max(20)])),
    }),
  },
  /**
   * The authoritative introspection record of a token, from the event store
   * (introspection-service's read-through on a cache miss, ADR 0008). `key` is
   * the read-model key to cache it under, null when the token is not ours
   * (malformed, forged, foreign): then the record is inactive and not cached.
   */
  introspect: {
    request: z.object({ token: z.string().max(16_384) }),
    response: z.object({
      key: z.string().nullable(),
      record: z.record(z.string(), z.json()),
    }),
  },
  /**
   * RFC 7009: revokes the token if the authenticated client owns it (a refresh
   * token takes its whole grant; an access token only itself). Unknown tokens
   * succeed. Returns once the revocation is committed and the read model's
   * tombstones are written, so no replica answers active afterwards.
   */
  revoke: {
    request: z.object({
      token: z.string().max(16_384),
      tokenTypeHint: z.string().max(100).optional(),
      clientAuth: clientAuthentication,
      endpoint: z.string(),
    }),
    response: z.object({}),
  },
  /**
   * Logout: revokes the grants of an SSO session that has ended (reason
   * session_ended), keeping offline_access grants when LOGOUT_OFFLINE_GRANTS
   * is `keep`; tombstones are written before it answers (guarantee 2). The
   * same as token-service does on the session.ended event, so auth-api can
   * answer the logout only once the session's tokens are inactive.
   */
  endSessionGrants: {
    request: z.object({
      sid: z.string().min(1).max(200),
      /** The admin API's caller, when an operator ended the session (ADR 0017). */
      actor: actorSchema.optional(),
    }),
    response: z.object({ revokedGrants: z.number().int().min(0) }),
  },
  /** RFC 9701: signs an introspection response for `audience` (the caller) with our key. */
  signIntrospectionResponse: {
    request: z.object({
      audience: z.string(),
      claims: z.record(z.string(), z.json()),
    }),
    response: z.object({ jwt: z.string() }),
  },
  /**
   * OIDC Back-Channel Logout: which of these clients registered a
   * backchannel_logout_uri, and the alg of their ID tokens (their logout
   * tokens use the same). Unknown or deleted clients and clients without a
   * URI are left out. One call for a whole session's fan-out.
   */
  backchannelLogoutTargets: {
    request: z.object({ clientIds: z.array(z.string().min(1).max(200)).max(10_000) }),
    response: z.object({
      targets: z.array(
        z.object({
          clientId: z.string(),
          uri: z.string(),
          sessionRequired: z.boolean(),
          alg: z.string(),
        }),
      ),
    }),
  },
  /**
   * Signs Back-Channel Logout tokens (typ logout+jwt) with the active key of
   * each token's alg (default RS256), in order. The caller passes the jti it
   * recorded, so every retry of one delivery carries the same token identity.
   */
  signLogoutTokens: {
    request: z.object({
      tokens: z
        .array(
          z.object({
            aud: z.string().min(1).max(200),
            sub: z.string().min(1).max(200).optional(),
            sid: z.string().min(1).max(200).optional(),
            jti: z.string().min(1).max(200),
            alg: z.string().max(20).optional(),
          }),
        )
        .max(1_000),
    }),
    response: z.object({ tokens: z.array(z.string()) }),
  },
  /**
   * Shared Signals (ADR 0035): signs Security Event Tokens (RFC 8417,
   * `typ: secevent+jwt`) for session-service's transmitter, in order, with
   * SSF_SET_ALG. The caller passes the jti and iat it recorded with the
   * delivery, so every retry sends the same SET.
   */
  signSecurityEvents: {
    request: z.object({
      sets: z
        .array(
          z.object({
            aud: z.string().min(1).max(200),
            jti: z.string().min(1).max(200),
            iat: z.number().int().nonnegative(),
            txn: z.string().min(1).max(200).optional(),
            subId: z.record(z.string().max(100), z.json()),
            events: z.record(z.string().max(300), z.record(z.string().max(100), z.json())),
          }),
        )
        .max(1_000),
    }),
    response: z.object({ tokens: z.array(z.string()) }),
  },
};
export type TokenRpcMethods = typeof tokenRpcMethods;
