import {
  ADMIN_SCOPES,
  clientMetadata,
  type ClientMetadata,
  type ClientMetadataInput,
  SSF_MANAGE_SCOPE,
  SSF_READ_SCOPE,
} from '@idp/contracts';
import { InvalidClientMetadata, InvalidRedirectUri } from '@idp/oauth-errors';
import { SUPPORTED_GRANT_TYPES, TOKEN_EXCHANGE_GRANT } from '../grant/grant-types';
import type { Alg } from '../key-ring/key-ring.decider';
import { uriHostProblem, type OutboundPolicy } from '../outbound';
import { CLIENT_SECRET_JWT_ALGS, PRIVATE_KEY_JWT_ALGS } from './assertion-algs';
import {
  MAX_RESOURCES,
  redirectUriProblem,
  requestUriProblem,
  resourceIndicatorProblem,
  webUriProblem,
} from './uri.rules';

/** What the key ring can sign with; `none` is never accepted. */
export const SIGNING_ALGS: readonly Alg[] = ['RS256', 'PS256', 'ES256', 'EdDSA'];
/** Claims we set ourselves (RFC 9068 2.2, RFC 7519 4.1, OIDC Core 2): configuration cannot override them. */
export const RESERVED_ACCESS_TOKEN_CLAIMS: ReadonlySet<string> = new Set(
  'iss sub aud exp nbf iat jti client_id scope auth_time acr amr sid azp nonce at_hash c_hash cnf act may_act typ'.split(
    ' ',
  ),
);
const RESPONSE_TYPE_PARTS = new Set(['code', 'id_token', 'token']);

const bad = (field: string, problem: string) => new InvalidClientMetadata(`${field} ${problem}`);

/** RFC 7591 3.2.2: malformed metadata is invalid_client_metadata, bad redirect URIs invalid_redirect_uri. */
export function parseClientMetadata(input: ClientMetadataInput): ClientMetadata {
  const parsed = clientMetadata.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join('.') ?? '(root)';
  const description = `${field}: ${issue?.message ?? 'invalid'}`;
  throw issue?.path[0] === 'redirect_uris'
    ? new InvalidRedirectUri(description)
    : new InvalidClientMetadata(description);
}

function checkGrantAndResponseTypes(m: ClientMetadata): void {
  const grants = new Set(m.grant_types);
  for (const g of grants)
    if (!(SUPPORTED_GRANT_TYPES as readonly string[]).includes(g))
      throw bad('grant_types', `contains unsupported grant type "${g}"`);
  for (const rt of m.response_types) {
    const parts = rt.split(' ');
    if (rt === 'none') continue;
    if (!parts.every((p) => RESPONSE_TYPE_PARTS.has(p)) || new Set(parts).size !== parts.length)
      throw bad('response_types', `contains unsupported response type "${rt}"`);
    // RFC 7591 2.1: each response type needs the grant type that redeems it.
    if (parts.includes('code') && !grants.has('authorization_code'))
      throw bad('response_types', `"${rt}" requires the authorization_code grant type`);
    if ((parts.includes('id_token') || parts.includes('token')) && !grants.has('implicit'))
      throw bad('response_types', `"${rt}" requires the implicit grant type`);
  }
}

function checkRedirectUris(m: ClientMetadata): void {
  const native = m.token_endpoint_auth_method === 'none';
  if (
    (m.grant_types.includes('authorization_code') || m.grant_types.includes('implicit')) &&
    m.redirect_uris.length === 0
  )
    throw new InvalidRedirectUri(
      'redirect_uris is required for the authorization_code and implicit grant types',
    );
  for (const uri of m.redirect_uris) {
    const problem = redirectUriProblem(uri, native);
    if (problem) throw new InvalidRedirectUri(`redirect_uri ${uri} ${problem}`);
  }
  for (const uri of m.post_logout_redirect_uris) {
    const problem = redirectUriProblem(uri, native);
    if (problem) throw bad('post_logout_redirect_uris', `${uri} ${problem}`);
  }
}

/** What the client's stored secret material allows: a hash, and a sealed copy (client_secret_jwt). */
export interface SecretMaterial {
  readonly hash: boolean;
  readonly sealed: boolean;
}

function checkAuthentication(m: ClientMetadata, secret: SecretMaterial): void {
  const method = m.token_endpoint_auth_method;
  if (method === 'none' && secret.hash)
    throw bad('token_endpoint_auth_method', 'none (a public client) cannot have a client secret');
  if ((method === 'client_secret_basic' || method === 'client_secret_post') && !secret.hash)
    throw bad('token_endpoint_auth_method', `${method} requires a client secret`);
  // The HMAC key is the secret itself: a hash alone cannot check an assertion.
  if (method === 'client_secret_jwt' && !(secret.hash && secret.sealed))
    throw bad('token_endpoint_auth_method', 'client_secret_jwt requires a client secret');
  checkAssertionAlg(m);
  // RFC 6749 4.4: client credentials are only for clients that can authenticate.
  if (method === 'none' && m.grant_types.includes('client_credentials'))
    throw bad('grant_types', 'client_credentials requires an authenticated (confidential) client');
  // OIDC Registration 2: jwks and jwks_uri are mutually exclusive.
  if (m.jwks && m.jwks_uri !== undefined)
    throw bad('jwks', 'and jwks_uri must not both be present');
  if (method === 'private_key_jwt' && !m.jwks && m.jwks_uri === undefined)
    throw bad('token_endpoint_auth_method', 'private_key_jwt requires jwks or jwks_uri');
  const jwksProblem = m.jwks_uri === undefined ? undefined : webUriProblem(m.jwks_uri);
  if (jwksProblem) throw bad('jwks_uri', jwksProblem);
}

/**
 * OIDC Registration 2 token_endpoint_auth_signing_alg: only for the two
 * assertion methods, and one of that method's algorithms (never none, never
 * an HMAC for private_key_jwt or a signature for client_secret_jwt).
 */
function checkAssertionAlg(m: ClientMetadata): void {
  const alg = m.token_endpoint_auth_signing_alg;
  if (alg === undefined) return;
  const method = m.token_endpoint_auth_method;
  const allowed: readonly string[] | undefined =
    method === 'client_secret_jwt'
      ? CLIENT_SECRET_JWT_ALGS
      : method === 'private_key_jwt'
        ? PRIVATE_KEY_JWT_ALGS
        : undefined;
  if (allowed === undefined)
    throw bad(
      'token_endpoint_auth_signing_alg',
      'applies only to client_secret_jwt and private_key_jwt',
    );
  if (!allowed.includes(alg))
    throw bad(
      'token_endpoint_auth_signing_alg',
      `must be one of ${allowed.join(', ')} for ${method}`,
    );
}

function checkLogoutUris(m: ClientMetadata): void {
  for (const field of ['backchannel_logout_uri', 'frontchannel_logout_uri'] as const) {
    const uri = m[field];
    const problem = uri === undefined ? undefined : webUriProblem(uri);
    if (problem) throw bad(field, problem);
  }
}

/**
 * URIs the service itself calls (server-side request forgery): a literal
 * internal address or a well-known internal name is refused here, without
 * DNS; the outbound client checks what any other name resolves to when it
 * calls. frontchannel_logout_uri and the redirect URIs are loaded by the
 * user's browser, never by us, so an intranet RP may use them.
 */
const CALLED_BY_US = ['backchannel_logout_uri', 'jwks_uri'] as const;

function checkCalledUris(m: ClientMetadata, outbound: OutboundPolicy): void {
  for (const field of CALLED_BY_US) {
    const uri = m[field];
    const problem = uri === undefined ? undefined : uriHostProblem(outbound, uri);
    if (problem) throw bad(field, `must not point to an internal host: ${problem}`);
  }
}

/**
 * `resources` (RFC 8707 2): the resource indicators the client may ask for,
 * and the audience of its tokens when it asks for none. Each must be an
 * absolute URI without a fragment, at most MAX_RESOURCE_URI_LENGTH long, and
 * the list is bounded, so a request naming all of them still fits the
 * interaction cookie and the grant's event. Whether each is a registered
 * resource server is checked when a request names it, not here: this
 * function does no I/O, and a client may name an audience that takes opaque
 * or signed tokens without registering encryption keys (ADR 0030).
 */
function checkResources(resources: readonly string[]): void {
  if (resources.length > MAX_RESOURCES)
    throw bad('resources', `may contain at most ${MAX_RESOURCES} resource indicators`);
  if (new Set(resources).size !== resources.length)
    throw bad('resources', 'must not contain the same resource twice');
  for (const r of resources) {
    const problem = resourceIndicatorProblem(r);
    if (problem) throw bad('resources', `${r.slice(0, 200)} ${problem}`);
  }
}

/**
 * Request objects (RFC 9101, OIDC Registration 2): they are only ever
 * accepted signed with the client's keys, so a client that names an alg or
 * request_uris must have keys; the alg is one of the server's allow-list
 * (never `none`, never an HMAC); request_uris are fetched by token-service,
 * so each is a web URI we may call (a fragment is allowed: OIDC Core 6.2
 * uses it to tell versions of the file apart).
 */
function checkRequestObjects(m: ClientMetadata, outbound: OutboundPolicy): void {
  const alg = m.request_object_signing_alg;
  if (alg !== undefined && !(SIGNING_ALGS as readonly string[]).includes(alg))
    throw bad('request_object_signing_alg', `must be one of ${SIGNING_ALGS.join(', ')}`);
  const uris = m.request_uris ?? [];
  if ((alg !== undefined || uris.length > 0) && !m.jwks && m.jwks_uri === undefined)
    throw bad(
      alg === undefined ? 'request_uris' : 'request_object_signing_alg',
      'requires jwks or jwks_uri: request objects must be signed with the client keys',
    );
  for (const uri of uris) {
    const problem = requestUriProblem(uri) ?? uriHostProblem(outbound, uri);
    if (problem) throw bad('request_uris', `${uri} ${problem}`);
  }
}

/**
 * Access tokens: jwe tokens are encrypted to the resource server that reads
 * them, so a jwe client must name its resources (RFC 8707 URIs); the
 * token-service resolves each resource's encryption key from its own
 * configuration. Extra claims may not shadow the claims we set.
 */
function checkTokens(m: ClientMetadata): void {
  for (const field of [
    'id_token_signed_response_alg',
    'access_token_signed_response_alg',
    'userinfo_signed_response_alg',
  ] as const) {
    const alg = m[field];
    if (alg !== undefined && !(SIGNING_ALGS as readonly string[]).includes(alg))
      throw bad(field, `must be one of ${SIGNING_ALGS.join(', ')}`);
  }
  checkResources(m.resources);
  if (m.access_token_format === 'jwe' && m.resources.length === 0)
    throw bad(
      'access_token_format',
      'jwe requires resources: the audiences whose keys encrypt the token',
    );
  // RFC 9449 5.2: a client that always binds its tokens cannot take an access token from
  // /authorize (implicit, hybrid `token`), which no DPoP proof accompanies.
  if (m.dpop_bound_access_tokens && m.response_types.some((rt) => rt.split(' ').includes('token')))
    throw bad(
      'dpop_bound_access_tokens',
      'cannot be true with a response type that issues an access token from the authorization endpoint',
    );
  const reserved = m.access_token_claims.find((c) => RESERVED_ACCESS_TOKEN_CLAIMS.has(c));
  if (reserved !== undefined)
    throw bad('access_token_claims', `must not include the reserved claim "${reserved}"`);
}

/**
 * RFC 9126 6: require_pushed_authorization_requests governs /authorize, so
 * it only means something for a client that goes there; set on any other,
 * it is a mistake worth saying rather than a setting that silently does nothing.
 */
function checkPushedRequests(m: ClientMetadata): void {
  if (
    m.require_pushed_authorization_requests &&
    !m.grant_types.includes('authorization_code') &&
    !m.grant_types.includes('implicit')
  )
    throw bad(
      'require_pushed_authorization_requests',
      'needs the authorization_code or implicit grant type (it governs /authorize)',
    );
}

/**
 * RFC 8693 (ADR 0033): token exchange is for confidential clients only (a
 * public client cannot prove it is the service the actor claims to be),
 * and the policy only means something with the grant type, and the grant
 * type only with a policy naming at least one target.
 */
function checkTokenExchange(m: ClientMetadata): void {
  const policy = m.token_exchange;
  const granted = m.grant_types.includes(TOKEN_EXCHANGE_GRANT);
  if (granted && m.token_endpoint_auth_method === 'none')
    throw bad('grant_types', 'token exchange requires an authenticated (confidential) client');
  if (policy === undefined) {
    if (granted) throw bad('token_exchange', 'is required with the token exchange grant type');
    return;
  }
  if (!granted) throw bad('token_exchange', 'needs the token exchange grant type in grant_types');
  if (policy.audiences.length === 0)
    throw bad('token_exchange', 'audiences must name at least one target');
  if (new Set(policy.audiences).size !== policy.audiences.length)
    throw bad('token_exchange', 'audiences must not contain the same target twice');
  if (policy.audiences.some((a) => a.trim() !== a || a.includes(' ')))
    throw bad('token_exchange', 'audiences must not contain spaces');
}

/**
 * Everything RFC 7591 / OIDC Registration asks of metadata, on already-parsed
 * input, and the hosts we may call under `outbound` (the configured policy).
 */
export function validateClientMetadata(
  m: ClientMetadata,
  secret: SecretMaterial,
  outbound: OutboundPolicy,
): void {
  checkGrantAndResponseTypes(m);
  checkRedirectUris(m);
  checkAuthentication(m, secret);
  checkLogoutUris(m);
  checkCalledUris(m, outbound);
  checkRequestObjects(m, outbound);
  checkTokens(m);
  checkPushedRequests(m);
  checkTokenExchange(m);
}

/**
 * Scopes only an operator may give a client: the admin API's (ADR 0017) and
 * the Shared Signals API's (ADR 0036: a stream receives every user's
 * security events).
 */
const OPERATOR_SCOPES: readonly string[] = [...ADMIN_SCOPES, SSF_MANAGE_SCOPE, SSF_READ_SCOPE];

/** The operator-only scopes a client is registered for, in a fixed order. */
const operatorScopesOf = (m: ClientMetadata): string =>
  OPERATOR_SCOPES.filter((s) => (m.scope ?? '').split(' ').includes(s)).join(' ');

/**
 * Settings only an operator may grant: a self-registered client must not skip
 * consent, pull user attributes into its tokens, or give itself the admin
 * API (idp:admin, idp:admin.read) or the Shared Signals API (ssf:manage,
 * ssf:read). A dynamic registration (or an RFC 7592
 * update) may only repeat their current values.
 */
export function checkOperatorOnly(next: ClientMetadata, current: ClientMetadata | undefined): void {
  const base = current ?? clientMetadata.parse({ client_id: next.client_id });
  if (next.skip_consent !== base.skip_consent)
    throw bad('skip_consent', 'can only be set by an operator');
  if (JSON.stringify(next.access_token_claims) !== JSON.stringify(base.access_token_claims))
    throw bad('access_token_claims', 'can only be set by an operator');
  // RFC 8693: who a client may obtain tokens for, and whether it may impersonate users.
  if (JSON.stringify(next.token_exchange) !== JSON.stringify(base.token_exchange))
    throw bad('token_exchange', 'can only be set by an operator');
  if (operatorScopesOf(next) !== operatorScopesOf(base))
    throw bad('scope', `${OPERATOR_SCOPES.join(', ')} can only be granted by an operator`);
}
