import {
  ADMIN_SCOPES,
  clientMetadata,
  type ClientMetadata,
  type ClientMetadataInput,
} from '@idp/contracts';
import { InvalidClientMetadata, InvalidRedirectUri } from '@idp/oauth-errors';
import { SUPPORTED_GRANT_TYPES } from '../grant/grant-types';
import type { Alg } from '../key-ring/key-ring.decider';
import { uriHostProblem, type OutboundPolicy } from '../outbound';
import { redirectUriProblem, resourceProblem, webUriProblem } from './uri.rules';

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

function checkAuthentication(m: ClientMetadata, hasSecret: boolean): void {
  const method = m.token_endpoint_auth_method;
  if (method === 'none' && hasSecret)
    throw bad('token_endpoint_auth_method', 'none (a public client) cannot have a client secret');
  if ((method === 'client_secret_basic' || method === 'client_secret_post') && !hasSecret)
    throw bad('token_endpoint_auth_method', `${method} requires a client secret`);
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
  for (const r of m.resources) {
    const problem = resourceProblem(r);
    if (problem) throw bad('resources', `${r} ${problem}`);
  }
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
 * Everything RFC 7591 / OIDC Registration asks of metadata, on already-parsed
 * input, and the hosts we may call under `outbound` (the configured policy).
 */
export function validateClientMetadata(
  m: ClientMetadata,
  hasSecret: boolean,
  outbound: OutboundPolicy,
): void {
  checkGrantAndResponseTypes(m);
  checkRedirectUris(m);
  checkAuthentication(m, hasSecret);
  checkLogoutUris(m);
  checkCalledUris(m, outbound);
  checkTokens(m);
}

/** The admin API scopes (ADR 0017) a client is registered for, in a fixed order. */
const adminScopesOf = (m: ClientMetadata): string =>
  ADMIN_SCOPES.filter((s) => (m.scope ?? '').split(' ').includes(s)).join(' ');

/**
 * Settings only an operator may grant: a self-registered client must not skip
 * consent, pull user attributes into its tokens, or give itself the admin
 * API (idp:admin, idp:admin.read). A dynamic registration (or an RFC 7592
 * update) may only repeat their current values.
 */
export function checkOperatorOnly(next: ClientMetadata, current: ClientMetadata | undefined): void {
  const base = current ?? clientMetadata.parse({ client_id: next.client_id });
  if (next.skip_consent !== base.skip_consent)
    throw bad('skip_consent', 'can only be set by an operator');
  if (JSON.stringify(next.access_token_claims) !== JSON.stringify(base.access_token_claims))
    throw bad('access_token_claims', 'can only be set by an operator');
  if (adminScopesOf(next) !== adminScopesOf(base))
    throw bad('scope', `${ADMIN_SCOPES.join(' and ')} can only be granted by an operator`);
}
