import { webcrypto } from 'node:crypto';
import type { JWK } from 'jose';
import * as oidc from 'openid-client';

/**
 * The relying party's side of the e2e suites, on openid-client 6's
 * functional API. Everything here is set-up, not leniency: each helper turns
 * on a check that openid-client 6 leaves off by default or that its version 5
 * did implicitly, so the tests keep proving that a strict RP library accepts
 * our provider.
 */

/** A hung provider fails the request in 10 s, not the whole suite at jest's limit. */
const TIMEOUT_SECONDS = 10;

export type ServerMetadata = oidc.ServerMetadata;
export type Tokens = oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
/**
 * A token response that had to carry an ID token (idTokenExpected), so its
 * claims are there. That member comes first in the intersection so that its
 * claims() signature is the one calls resolve to.
 */
export type OidcTokens = { readonly id_token: string; claims(): oidc.IDToken } & Tokens;

/** What the RP kept in its session between /authorize and the callback. */
export interface Checks {
  readonly state: string;
  readonly nonce?: string | undefined;
  readonly codeVerifier?: string | undefined;
}

/**
 * Discovery as openid-client 6 does it (it also requires the discovered
 * `issuer` to be the URL asked). The test providers listen on plain
 * http://127.0.0.1; HTTPS is the deployment's concern, not the protocol's.
 */
export async function discover(base: string): Promise<ServerMetadata> {
  const config = await oidc.discovery(new URL(base), 'discovery', undefined, oidc.None(), {
    execute: [oidc.allowInsecureRequests],
    timeout: TIMEOUT_SECONDS,
  });
  return config.serverMetadata();
}

/** The client authentication the registration names; RFC 7591's default is client_secret_basic. */
function authFor(metadata: Partial<oidc.ClientMetadata>, key?: oidc.PrivateKey): oidc.ClientAuth {
  switch (metadata.token_endpoint_auth_method ?? 'client_secret_basic') {
    case 'client_secret_basic':
      return oidc.ClientSecretBasic();
    case 'client_secret_post':
      return oidc.ClientSecretPost();
    case 'none':
      return oidc.None();
    case 'private_key_jwt':
      if (!key) throw new Error('private_key_jwt needs the client private key');
      return oidc.PrivateKeyJwt(key);
    default:
      throw new Error(`no test set-up for ${metadata.token_endpoint_auth_method}`);
  }
}

/**
 * Applies the test set-up to a Configuration. openid-client 6 does not verify
 * the signature of an ID token (nor of a signed UserInfo response) that came
 * over the back channel unless non-repudiation checks are on; version 5
 * always did, and these tests exist to have a library check our signatures
 * against our JWKS.
 */
export function strictRp(config: oidc.Configuration): oidc.Configuration {
  oidc.allowInsecureRequests(config);
  oidc.enableNonRepudiationChecks(config);
  config.timeout = TIMEOUT_SECONDS;
  return config;
}

/** One client of the provider, authenticating as its metadata says. */
export function rpFor(
  server: ServerMetadata,
  metadata: Partial<oidc.ClientMetadata> & { client_id: string },
  key?: oidc.PrivateKey,
): oidc.Configuration {
  const config = new oidc.Configuration(
    server,
    metadata.client_id,
    metadata,
    authFor(metadata, key),
  );
  return strictRp(config);
}

/** A private JWK as the key openid-client 6 signs client assertions with (its kid goes into the header). */
export async function privateKeyOf(jwk: JWK): Promise<oidc.PrivateKey> {
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256') throw new Error('test keys are P-256');
  const key = await webcrypto.subtle.importKey(
    'jwk',
    jwk as webcrypto.JsonWebKey,
    { name: 'ECDSA', namedCurve: 'P-256' },
    false,
    ['sign'],
  );
  return { key: key as oidc.CryptoKey, ...(jwk.kid ? { kid: jwk.kid } : {}) };
}

/** Fresh state, nonce and PKCE verifier, and the authorization parameters that carry them. */
export async function newChecks(): Promise<{
  checks: { state: string; nonce: string; codeVerifier: string };
  params: Record<string, string>;
}> {
  const checks = {
    state: oidc.randomState(),
    nonce: oidc.randomNonce(),
    codeVerifier: oidc.randomPKCECodeVerifier(),
  };
  const params = {
    state: checks.state,
    nonce: checks.nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(checks.codeVerifier),
    code_challenge_method: 'S256',
  };
  return { checks, params };
}

/**
 * The authorization request URL. Version 5 filled in redirect_uri (the
 * client's only one), response_type=code and scope=openid; so does this.
 * An `undefined` parameter is left out, as version 5 did.
 */
export function authorizationUrl(
  config: oidc.Configuration,
  params: Record<string, string | undefined>,
): string {
  const registered = config.clientMetadata()['redirect_uris'];
  const redirectUri = Array.isArray(registered) ? registered[0] : undefined;
  const defined = Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined);
  return oidc.buildAuthorizationUrl(config, {
    ...(typeof redirectUri === 'string' ? { redirect_uri: redirectUri } : {}),
    response_type: 'code',
    scope: 'openid',
    ...Object.fromEntries(defined),
  }).href;
}

/**
 * Validates the authorization response that reached the redirect_uri (state,
 * RFC 9207 iss) and redeems its code with PKCE; with a nonce (an OpenID
 * request) an ID token is required and checked (signature, iss, aud, azp,
 * nonce, exp, iat).
 */
export function codeGrant(
  config: oidc.Configuration,
  callback: string | URL,
  checks: Checks & { nonce: string },
): Promise<OidcTokens>;
export function codeGrant(
  config: oidc.Configuration,
  callback: string | URL,
  checks: Checks,
): Promise<Tokens>;
export async function codeGrant(
  config: oidc.Configuration,
  callback: string | URL,
  checks: Checks,
): Promise<Tokens> {
  return oidc.authorizationCodeGrant(config, new URL(callback), {
    expectedState: checks.state,
    ...(checks.nonce !== undefined
      ? { expectedNonce: checks.nonce, idTokenExpected: true }
      : { idTokenExpected: false }),
    ...(checks.codeVerifier !== undefined ? { pkceCodeVerifier: checks.codeVerifier } : {}),
  });
}

/**
 * UserInfo through the library. Given the token response, the answer's `sub`
 * must be the ID token's (OIDC Core 5.3.2), as version 5 checked; given a
 * bare access token there is nothing to compare with, as in version 5.
 */
export function userinfo(
  config: oidc.Configuration,
  tokens: Tokens | string,
): Promise<oidc.UserInfoResponse> {
  if (typeof tokens === 'string') return oidc.fetchUserInfo(config, tokens, oidc.skipSubjectCheck);
  const sub = tokens.claims()?.sub;
  return oidc.fetchUserInfo(config, tokens.access_token, sub ?? oidc.skipSubjectCheck);
}

/**
 * Matches what openid-client 6 throws for a 401/403 with a WWW-Authenticate
 * challenge (RFC 6750 3): the error code is in the challenge, not in a body.
 */
export function bearerChallenge(error: string): unknown {
  return expect.objectContaining({
    code: 'OAUTH_WWW_AUTHENTICATE_CHALLENGE',
    cause: expect.arrayContaining([
      expect.objectContaining({
        scheme: 'bearer',
        parameters: expect.objectContaining({ error }),
      }),
    ]),
  });
}

/**
 * What a failed token-endpoint call told the RP. openid-client 6 raises a
 * 401's WWW-Authenticate challenge (a Basic one for invalid_client, RFC 6749
 * 5.2) before it reads the body, so the error code is read from the
 * response it hands over; other errors carry the parsed body.
 */
export async function rejectionOf(
  call: Promise<unknown>,
): Promise<{ status: number; schemes: string[]; body: unknown }> {
  const err = await call.then(
    () => {
      throw new Error('expected the call to be rejected');
    },
    (e: unknown) => e,
  );
  if (err instanceof oidc.WWWAuthenticateChallengeError) {
    const body: unknown = await err.response.json();
    return { status: err.status, schemes: err.cause.map((c) => c.scheme), body };
  }
  if (err instanceof oidc.ResponseBodyError) {
    return { status: err.status, schemes: [], body: err.cause };
  }
  throw err;
}
