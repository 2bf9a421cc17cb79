import type { ClientMetadata } from '@idp/contracts';
import { InvalidRequest } from '@idp/oauth-errors';
import type { Params } from '@idp/nest-kit';
import type { CodeChallengeMethod } from './types';

/** RFC 7636 4.1/4.2: a plain challenge is the verifier itself. */
const CHALLENGE = /^[A-Za-z0-9\-._~]{43,128}$/;
/** An S256 challenge is BASE64URL(SHA-256(verifier)): always 43 characters, no padding. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

export interface PkceOptions {
  readonly allowPlainPkce: boolean;
}

/**
 * PKCE for a response type that includes `code` (RFC 7636 4.3, 4.4.1).
 *
 * A challenge without a method means `plain` (RFC 7636 4.3: "Defaults to
 * plain if not present"). We do not silently read it as S256: client and
 * server would then disagree and the code would fail only at /token. When
 * plain is not allowed, the request is refused up front instead, as
 * node-oidc-provider does.
 *
 * Public clients (token_endpoint_auth_method `none`) must use PKCE: it is
 * their only proof that whoever redeems the code started the flow
 * (RFC 9700 2.1.1, RFC 8252 8.1).
 */
export function checkPkce(
  params: Params,
  client: ClientMetadata,
  options: PkceOptions,
): { code_challenge?: string; code_challenge_method?: CodeChallengeMethod } {
  const challenge = params['code_challenge'];
  const method = params['code_challenge_method'];
  if (challenge === undefined) {
    if (method !== undefined) {
      throw new InvalidRequest('code_challenge_method requires code_challenge');
    }
    if (client.token_endpoint_auth_method === 'none') {
      throw new InvalidRequest('PKCE (code_challenge) is required for public clients');
    }
    return {};
  }
  if (method !== undefined && method !== 'S256' && method !== 'plain') {
    throw new InvalidRequest('code_challenge_method must be S256');
  }
  const resolved: CodeChallengeMethod = method ?? 'plain';
  if (resolved === 'plain' && !options.allowPlainPkce) {
    throw new InvalidRequest(
      method === undefined
        ? 'code_challenge_method is required (plain is not allowed; use S256)'
        : 'code_challenge_method plain is not allowed; use S256',
    );
  }
  if (!CHALLENGE.test(challenge)) {
    throw new InvalidRequest('code_challenge must be 43 to 128 characters of [A-Za-z0-9-._~]');
  }
  // Any other S256 value could never match a verifier: fail here, not at /token.
  if (resolved === 'S256' && !S256_CHALLENGE.test(challenge)) {
    throw new InvalidRequest('an S256 code_challenge is 43 base64url characters');
  }
  return { code_challenge: challenge, code_challenge_method: resolved };
}
