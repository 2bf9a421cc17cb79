import type { Config } from '@idp/config';
import { DEFAULT_VERIFY_ALGS, SIGNING_ALGS } from '@idp/crypto';
import {
  ACR_VALUES_SUPPORTED,
  CLIENT_SECRET_JWT_ALGS,
  PRIVATE_KEY_JWT_ALGS,
  STANDARD_CLAIMS,
  SUPPORTED_GRANT_TYPES,
} from '@idp/domain';
import { RESPONSE_MODES, RESPONSE_TYPES } from '../authorize/types';
import { PAR_PATH } from '../par/par-path';
import { REGISTRATION_PATH, registrationEnabled } from '../registration/registration-policy';
import { DEVICE_AUTHORIZATION_PATH } from '../device/device-paths';

/** OIDC Core 5.4 plus offline_access (11): the only scopes /authorize keeps. */
export const SCOPES_SUPPORTED = [
  'openid',
  'profile',
  'email',
  'address',
  'phone',
  'offline_access',
] as const;

/** Claims of ID tokens (OIDC Core 2) and of the standard scopes (5.1). */
const CLAIMS_SUPPORTED = [
  'sub',
  'iss',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'nonce',
  'acr',
  'amr',
  'azp',
  'sid',
  'at_hash',
  'c_hash',
  ...STANDARD_CLAIMS,
];

/** Client authentication with credentials (RFC 6749 2.3.1, RFC 7523 2.2, OIDC Core 9). */
const CONFIDENTIAL_AUTH_METHODS = [
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
  'private_key_jwt',
] as const;
/** What client assertions may be signed (private_key_jwt) or MACed (client_secret_jwt) with. */
const ASSERTION_ALGS = [...PRIVATE_KEY_JWT_ALGS, ...CLIENT_SECRET_JWT_ALGS];

export type DiscoveryConfig = Pick<
  Config,
  | 'ISSUER'
  | 'ALLOW_PLAIN_PKCE'
  | 'SIGNING_KEY_ALGS'
  | 'INITIAL_ACCESS_TOKEN'
  | 'REQUIRE_PUSHED_AUTHORIZATION_REQUESTS'
  | 'DPOP_SIGNING_ALGS'
  | 'MTLS_CLIENT_CERT_HEADER'
>;

/**
 * OpenID Connect Discovery 1.0 section 3 (and RFC 8414 2). It advertises only
 * what is served, so
 * `registration_endpoint` appears only while registration is enabled, since
 * an RP that reads a metadata value will call it.
 *
 * Signing algorithms come from SIGNING_KEY_ALGS: token-service keeps one key
 * per algorithm, so an algorithm without a key cannot sign anything. Client
 * assertions are verified, not signed, so every algorithm the verifier
 * allows is accepted there.
 *
 * /introspect is served by introspection-service: on the same port in the
 * embedded mode, through the ingress (path routing) in production. Public
 * clients may revoke their own tokens (RFC 7009 2.1) but not introspect.
 */
export function discoveryDocument(config: DiscoveryConfig): Readonly<Record<string, unknown>> {
  const base = config.ISSUER.replace(/\/+$/, '');
  const signing = SIGNING_ALGS.filter((alg) => config.SIGNING_KEY_ALGS.includes(alg));
  return {
    issuer: config.ISSUER,
    authorization_endpoint: `${base}/authorize`,
    token_endpoint: `${base}/token`,
    userinfo_endpoint: `${base}/userinfo`,
    jwks_uri: `${base}/jwks`,
    revocation_endpoint: `${base}/revoke`,
    // RFC 8628 4.
    device_authorization_endpoint: `${base}${DEVICE_AUTHORIZATION_PATH}`,
    introspection_endpoint: `${base}/introspect`,
    // RFC 9126 5: clients authenticate there as at the token endpoint.
    pushed_authorization_request_endpoint: `${base}${PAR_PATH}`,
    require_pushed_authorization_requests: config.REQUIRE_PUSHED_AUTHORIZATION_REQUESTS,
    ...(registrationEnabled(config)
      ? { registration_endpoint: `${base}${REGISTRATION_PATH}` }
      : {}),
    scopes_supported: [...SCOPES_SUPPORTED],
    response_types_supported: [...RESPONSE_TYPES],
    response_modes_supported: [...RESPONSE_MODES],
    grant_types_supported: [...SUPPORTED_GRANT_TYPES],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: signing,
    userinfo_signing_alg_values_supported: signing,
    token_endpoint_auth_methods_supported: [...CONFIDENTIAL_AUTH_METHODS, 'none'],
    token_endpoint_auth_signing_alg_values_supported: [...ASSERTION_ALGS],
    // RFC 8414 2.
    revocation_endpoint_auth_methods_supported: [...CONFIDENTIAL_AUTH_METHODS, 'none'],
    revocation_endpoint_auth_signing_alg_values_supported: [...ASSERTION_ALGS],
    introspection_endpoint_auth_methods_supported: [...CONFIDENTIAL_AUTH_METHODS],
    introspection_endpoint_auth_signing_alg_values_supported: [...ASSERTION_ALGS],
    // RFC 7636 4.2: plain only where a legacy client forces it (ALLOW_PLAIN_PKCE).
    code_challenge_methods_supported: config.ALLOW_PLAIN_PKCE ? ['S256', 'plain'] : ['S256'],
    claims_supported: CLAIMS_SUPPORTED,
    // OIDC Core 5.5: `claims` at /authorize, in request objects and PAR (ADR 0034).
    claims_parameter_supported: true,
    acr_values_supported: [...ACR_VALUES_SUPPORTED],
    // RFC 9101 and OIDC Core 6: signed request objects, by value or from a
    // request_uri the client registered (never unregistered ones: we fetch it);
    // verified with the client assertion algs, never encrypted.
    request_parameter_supported: true,
    request_uri_parameter_supported: true,
    require_request_uri_registration: true,
    request_object_signing_alg_values_supported: [...DEFAULT_VERIFY_ALGS],
    // RFC 9207 3: every authorization response carries `iss`.
    authorization_response_iss_parameter_supported: true,
    // OIDC RP-Initiated Logout 1.0 3.1, Front-Channel Logout 1.0 3, Back-Channel Logout 1.0 2.1.
    end_session_endpoint: `${base}/logout`,
    frontchannel_logout_supported: true,
    frontchannel_logout_session_supported: true,
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
    // RFC 9449 5.1: DPoP proofs are accepted at /token and /userinfo, with these algs.
    dpop_signing_alg_values_supported: [...config.DPOP_SIGNING_ALGS],
    // RFC 8705 3.3: only while a proxy forwards client certificates (MTLS_CLIENT_CERT_HEADER).
    ...(config.MTLS_CLIENT_CERT_HEADER === undefined
      ? {}
      : { tls_client_certificate_bound_access_tokens: true }),
  };
}
