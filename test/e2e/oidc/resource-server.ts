import type { JWK } from 'jose';
import { decryptAccessToken, verifyOurJwt } from '@idp/crypto';

/**
 * What a resource server does with an access token: decrypt it with its own
 * key if it is a JWE, then verify our signature against the issuer's JWKS.
 * The verified claims.
 */
export async function verifiedAccessToken(
  token: string,
  issuer: { readonly base: string; readonly jwksUri: string },
  key?: JWK,
) {
  const jws = key ? await decryptAccessToken(token, key) : token;
  const jwks = (await (await fetch(issuer.jwksUri)).json()) as { keys: JWK[] };
  return verifyOurJwt(jws, { jwks: jwks.keys, issuer: issuer.base, typ: 'at+jwt' });
}
