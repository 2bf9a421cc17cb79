/**
 * The JWS algorithms a client assertion (RFC 7523 2.2) may use, per
 * authentication method. They never overlap: a client_secret_jwt client's
 * assertion is a MAC keyed by its secret, a private_key_jwt client's a
 * signature checked with its public keys, so neither can be made to verify
 * as the other (algorithm confusion). `none` is in neither list.
 */
export const CLIENT_SECRET_JWT_ALGS = ['HS256', 'HS384', 'HS512'] as const;
export const PRIVATE_KEY_JWT_ALGS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;

export type AssertionMethod = 'client_secret_jwt' | 'private_key_jwt';

/**
 * The algorithms this client's assertions may use: its method's list, or
 * only its registered token_endpoint_auth_signing_alg (OIDC Registration 2).
 */
export function assertionAlgsFor(
  method: AssertionMethod,
  registeredAlg: string | undefined,
): readonly string[] {
  const allowed: readonly string[] =
    method === 'client_secret_jwt' ? CLIENT_SECRET_JWT_ALGS : PRIVATE_KEY_JWT_ALGS;
  if (registeredAlg === undefined) return allowed;
  return allowed.includes(registeredAlg) ? [registeredAlg] : [];
}

/**
 * RFC 7518 3.2: an HMAC key at least as long as the hash output. The HMAC
 * key is the secret's UTF-8 octets (OIDC Core 16.19), so a secret shorter
 * than 64 octets cannot key HS512.
 */
export const HMAC_MIN_KEY_OCTETS: Readonly<
  Record<(typeof CLIENT_SECRET_JWT_ALGS)[number], number>
> = { HS256: 32, HS384: 48, HS512: 64 };
