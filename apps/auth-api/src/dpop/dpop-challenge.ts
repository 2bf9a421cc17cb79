import { dpopChallenge, OAuthError } from '@idp/oauth-errors';

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
