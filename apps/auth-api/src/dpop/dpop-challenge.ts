import { dpopChallenge, MissingBearerToken, OAuthError } from '@idp/oauth-errors';

/**
 * A protected resource's error for a DPoP-scheme request carries a DPoP
 * challenge (RFC 9449 7.1), not a Bearer one: token-service's invalid_token
 * and insufficient_scope are rendered again under the DPoP scheme with the
 * algs we accept. Errors that already carry a DPoP challenge, and errors
 * without a challenge (5xx), pass unchanged.
 */
export function withDpopChallenge(err: unknown, algs: readonly string[]): unknown {
  if (!(err instanceof OAuthError) || err.status >= 500) return err;
  const header = Object.entries(err.headers).find(([h]) => h.toLowerCase() === 'www-authenticate');
  if (header !== undefined && header[1].startsWith('DPoP')) return err;
  const rest = Object.fromEntries(
    Object.entries(err.headers).filter(([h]) => h.toLowerCase() !== 'www-authenticate'),
  );
  return new OAuthError(err.error, {
    status: err.status,
    description: err.description,
    headers: {
      ...rest,
      'WWW-Authenticate': dpopChallenge({
        error: err.error,
        description: err.description,
        algs,
      }),
    },
    cause: err,
  });
}

/**
 * The challenges of a request whose token could not be read (RFC 9449 7.1,
 * RFC 6750 3): with no token at all, both schemes are offered (Bearer, and
 * DPoP with its algs); a malformed `Authorization: DPoP …` header is the
 * DPoP scheme's invalid_request, not a Bearer one. Other errors pass.
 */
export function withReadChallenges(
  err: unknown,
  authorization: string | undefined,
  algs: readonly string[],
): unknown {
  if (err instanceof MissingBearerToken) return new MissingBearerToken('idp', { dpopAlgs: algs });
  return schemeOf(authorization) === 'dpop' ? withDpopChallenge(err, algs) : err;
}

/** The auth-scheme of an Authorization header, lower-cased (RFC 7235 2.1: case-insensitive). */
function schemeOf(authorization: string | undefined): string | undefined {
  const value = authorization?.trim();
  if (value === undefined || value === '') return undefined;
  return value.split(/\s/, 1)[0]!.toLowerCase();
}
