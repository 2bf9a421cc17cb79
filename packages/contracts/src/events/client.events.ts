import { z } from 'zod';
import { defineEvent, type EventOf } from '../define-event';
import { accessTokenFormat, epochSeconds, id, tokenHash } from './common';
import { refreshReuseResponse } from './grant.events';

/**
 * Client metadata as RFC 7591 names it, plus ours (access_token_format,
 * access_token_claims, resources, skip_consent) and OIDC Registration's
 * request object fields. The secret is never in clear in an event: its
 * keyed hash, and only for a client_secret_jwt client (which needs the
 * secret itself as its HMAC key) also a `sealedSecret`, AES-256-GCM under a
 * key derived from KEY_ENCRYPTION_KEY (ADR 0031).
 */
export const clientMetadata = z.object({
  client_id: id,
  client_name: z.string().max(200).optional(),
  redirect_uris: z.array(z.string().url()).default([]),
  grant_types: z.array(z.string()).default(['authorization_code']),
  response_types: z.array(z.string()).default(['code']),
  token_endpoint_auth_method: z
    .enum([
      'client_secret_basic',
      'client_secret_post',
      'client_secret_jwt',
      'private_key_jwt',
      'none',
    ])
    .default('client_secret_basic'),
  /** OIDC Registration 2: the one alg this client's assertions may use (client_secret_jwt, private_key_jwt). */
  token_endpoint_auth_signing_alg: z.string().max(20).optional(),
  scope: z.string().max(4000).optional(),
  jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).optional(),
  jwks_uri: z.string().url().optional(),
  id_token_signed_response_alg: z.string().default('RS256'),
  userinfo_signed_response_alg: z.string().optional(),
  post_logout_redirect_uris: z.array(z.string().url()).default([]),
  backchannel_logout_uri: z.string().url().optional(),
  backchannel_logout_session_required: z.boolean().default(false),
  frontchannel_logout_uri: z.string().url().optional(),
  frontchannel_logout_session_required: z.boolean().default(false),
  access_token_format: accessTokenFormat.default('opaque'),
  access_token_signed_response_alg: z.string().default('ES256'),
  access_token_claims: z.array(z.string()).default([]),
  resources: z.array(z.string()).default([]),
  skip_consent: z.boolean().default(false),
  /** RFC 9126 6: /authorize accepts this client's requests only through a pushed request_uri. */
  require_pushed_authorization_requests: z.boolean().default(false),
  /**
   * OIDC Registration 2: the only alg this client's request objects may be
   * signed with (RFC 9101); unset, any alg of the server's allow-list.
   */
  request_object_signing_alg: z.string().optional(),
  /**
   * OIDC Registration 2: the request_uri values (RFC 9101 5.2) the client may
   * send to /authorize, which token-service then fetches. Optional rather
   * than defaulted, so clients registered before it keep the same metadata.
   */
  request_uris: z.array(z.string().url()).optional(),
  /** RFC 9449 5.2: every token request of this client must carry a DPoP proof. */
  dpop_bound_access_tokens: z.boolean().default(false),
  /** RFC 8705 2.1.1, 3.4: the client's access tokens are bound to its TLS client certificate. */
  tls_client_certificate_bound_access_tokens: z.boolean().default(false),
  /**
   * What a reused (rotated-away) refresh token of this client causes (ADR
   * 0038). Absent: REFRESH_REUSE_RESPONSE, or when that is unset too,
   * `end_session` for a public client and `revoke_grant` for a confidential one.
   */
  refresh_reuse_response: refreshReuseResponse.optional(),
  /**
   * RFC 8693 token exchange policy (ADR 0033): the targets (registered
   * resource URIs or logical audience names) this client may exchange a
   * token for, and whether it may impersonate (exchange without an
   * actor_token). Absent: no target is allowed.
   */
  token_exchange: z
    .object({
      audiences: z.array(z.string().min(1).max(2000)).max(20).default([]),
      impersonation: z.boolean().default(false),
    })
    .optional(),
});
/** A sealed box (base64url salt, IV, ciphertext, tag): never the secret itself. */
const sealedSecret = z
  .string()
  .max(2000)
  .regex(/^[A-Za-z0-9_-]+$/);

export type ClientMetadata = z.output<typeof clientMetadata>;
/** What a registration request may omit: the schema's defaults fill the rest. */
export type ClientMetadataInput = z.input<typeof clientMetadata>;

export const ClientRegistered = defineEvent(
  'client.registered',
  1,
  z.object({
    clientId: id,
    metadata: clientMetadata,
    secretHash: z.string().optional(),
    /** client_secret_jwt only: the secret sealed under KEY_ENCRYPTION_KEY (ADR 0031). */
    sealedSecret: sealedSecret.optional(),
    source: z.enum(['seed', 'dynamic_registration', 'admin']),
    /** RFC 7591 3.2.1 client_id_issued_at (absent on events written before it was recorded). */
    issuedAt: epochSeconds.optional(),
    /**
     * Keyed hash of the RFC 7592 registration access token, for clients that
     * registered themselves: the token is shown once and never stored in clear.
     */
    registrationTokenHash: tokenHash.optional(),
  }),
);

export const ClientUpdated = defineEvent(
  'client.updated',
  1,
  z.object({ clientId: id, metadata: clientMetadata }),
);

export const ClientSecretRotated = defineEvent(
  'client.secret_rotated',
  1,
  z.object({
    clientId: id,
    secretHash: z.string(),
    /** client_secret_jwt only: the new secret sealed under KEY_ENCRYPTION_KEY (ADR 0031). */
    sealedSecret: sealedSecret.optional(),
  }),
);

export const ClientDeleted = defineEvent('client.deleted', 1, z.object({ clientId: id }));

export const clientEvents = [
  ClientRegistered,
  ClientUpdated,
  ClientSecretRotated,
  ClientDeleted,
] as const;

export type ClientEvent =
  | EventOf<typeof ClientRegistered>
  | EventOf<typeof ClientUpdated>
  | EventOf<typeof ClientSecretRotated>
  | EventOf<typeof ClientDeleted>;
