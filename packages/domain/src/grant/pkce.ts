import { constantTimeEqual, sha256Base64url } from '@idp/crypto';

// RFC 7636 4.1: 43-128 characters of the unreserved set.
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
// RFC 7636 4.2: base64url(SHA-256) is always 43 characters.
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

export type PkceMethod = 'S256' | 'plain';

export const isValidCodeVerifier = (verifier: string): boolean => VERIFIER.test(verifier);

export function isValidCodeChallenge(challenge: string, method: PkceMethod): boolean {
  return (method === 'S256' ? S256_CHALLENGE : VERIFIER).test(challenge);
}

export function s256Challenge(verifier: string): string {
  return sha256Base64url(Buffer.from(verifier, 'ascii'));
}

/**
 * RFC 7636 4.6 plus the downgrade rule of RFC 9700 2.1.1: a verifier without
 * a challenge fails as surely as a challenge without a verifier. The method is
 * the one recorded with the code; the token request cannot choose it.
 */
export function pkceSatisfied(
  challenge: string | undefined,
  method: PkceMethod | undefined,
  verifier: string | undefined,
): boolean {
  if (challenge === undefined) return verifier === undefined;
  if (verifier === undefined) return false;
  const derived = (method ?? 'plain') === 'S256' ? s256Challenge(verifier) : verifier;
  return constantTimeEqual(derived, challenge);
}
