import { decodeJwt, type JWK } from 'jose';
import { verifyOurJwt, type OurTokenTyp } from '@idp/crypto';

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export type OurJwtKind =
  | { readonly kind: 'access_token'; readonly jti: string | undefined }
  | { readonly kind: 'id_token' | 'logout_token' };

const KINDS: readonly [OurTokenTyp, 'access_token' | 'id_token' | 'logout_token'][] = [
  ['at+jwt', 'access_token'],
  ['JWT', 'id_token'],
  ['logout+jwt', 'logout_token'],
];

/**
 * Which of our signed JWTs a token is, by the `typ` it verifies with against
 * `jwks` and our issuer. Verified at its own `iat`: its signature is
 * checked, its expiry is not (an expired ID token is still an ID token, an
 * expired access token still has a history), so only a token we issued is
 * told apart from an unknown one. Undefined for anything else.
 */
export async function ourJwtKind(
  token: string,
  jwks: JWK[],
  issuer: string,
): Promise<OurJwtKind | undefined> {
  if (!JWT_SHAPE.test(token)) return undefined;
  let iat: unknown;
  try {
    iat = decodeJwt(token).iat;
  } catch {
    return undefined;
  }
  if (typeof iat !== 'number') return undefined;
  for (const [typ, kind] of KINDS) {
    const payload = await verifyOurJwt(token, { jwks, issuer, typ, now: iat }).catch(
      () => undefined,
    );
    if (payload === undefined) continue;
    return kind === 'access_token'
      ? { kind, jti: typeof payload.jti === 'string' ? payload.jti : undefined }
      : { kind };
  }
  return undefined;
}
