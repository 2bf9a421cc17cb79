import { decodeProtectedHeader, type JWK } from 'jose';
import { verifyOpaqueToken } from '@idp/crypto';
import type { TokenRef } from '@idp/domain';
import type { TokenSecrets } from '../secrets/token-secrets';
import { ourJwtKind } from '../tokens/our-jwt-kind';
import { TokenMinter } from '../tokens/token-minter.service';
import { USERINFO_HANDLE_HEADER, type UserinfoHandles } from '../tokens/userinfo-handle';

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
// Compact JWE (RFC 7516 7.1); the encrypted key is empty for ECDH-ES.
const JWE_SHAPE =
  /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** What a token we issued is, and how its grant's events name it; never the token itself. */
export type TokenIdentity =
  | {
      readonly kind: 'access_token';
      readonly format: 'opaque' | 'jwt' | 'jwe';
      readonly grantId: string;
      readonly ref: TokenRef;
    }
  | {
      readonly kind: 'refresh_token';
      readonly grantId: string;
      readonly ref: { readonly tokenHash: string };
    }
  | {
      readonly kind: 'authorization_code';
      readonly grantId: string;
      readonly ref: { readonly tokenHash: string };
    }
  /** Ours, but neither an access nor a refresh token: no state of its own in a grant. */
  | { readonly kind: 'id_token' | 'logout_token' | 'device_code' };

export interface TokenIdentityKeys {
  readonly secrets: Pick<TokenSecrets, 'macKey' | 'tokenHash'>;
  readonly handles: Pick<UserinfoHandles, 'jtiOf'>;
  /** Every public key of the ring, retired ones included: an old token is still ours. */
  readonly jwks: () => Promise<JWK[]>;
  readonly issuer: string;
}

/** Whether an argument is a token rather than a grant id (which is never dotted nor prefixed). */
export const looksLikeToken = (arg: string): boolean =>
  /^(at|rt|ac|dc)_/.test(arg) || JWT_SHAPE.test(arg) || JWE_SHAPE.test(arg);

/**
 * A presented token to its identity, for its history (ADR 0037), the way
 * TokenResolver finds a grant but without judging the token's state: an
 * opaque token by its MAC, then its keyed hash; an `at+jwt` by its signature
 * against any key of the ring and its jti; a JWE by the MACed userinfo
 * handle in its header (we cannot decrypt it). Expiry is not checked (an
 * expired token's history is the point), its signature always is: a JWT is
 * verified at its own `iat`, so a foreign or forged one is undefined, as is
 * anything malformed.
 */
export async function identifyToken(
  token: string,
  keys: TokenIdentityKeys,
): Promise<TokenIdentity | undefined> {
  if (/^(at|rt|ac|dc)_/.test(token)) {
    const parts = verifyOpaqueToken(token, keys.secrets.macKey);
    if (!parts) return undefined;
    if (parts.kind === 'dc') return { kind: 'device_code' };
    const tokenHash = keys.secrets.tokenHash(token);
    const grantId = parts.handle;
    if (parts.kind === 'at')
      return { kind: 'access_token', format: 'opaque', grantId, ref: { tokenHash } };
    return parts.kind === 'rt'
      ? { kind: 'refresh_token', grantId, ref: { tokenHash } }
      : { kind: 'authorization_code', grantId, ref: { tokenHash } };
  }
  if (JWE_SHAPE.test(token)) {
    let handle: unknown;
    try {
      handle = decodeProtectedHeader(token)[USERINFO_HANDLE_HEADER];
    } catch {
      return undefined;
    }
    return byJti(keys.handles.jtiOf(handle), 'jwe');
  }
  const jwt = await ourJwtKind(token, await keys.jwks(), keys.issuer);
  if (jwt === undefined) return undefined;
  return jwt.kind === 'access_token' ? byJti(jwt.jti, 'jwt') : { kind: jwt.kind };
}

function byJti(jti: string | undefined, format: 'jwt' | 'jwe'): TokenIdentity | undefined {
  const grantId = jti === undefined ? undefined : TokenMinter.grantIdOfJti(jti);
  return grantId === undefined || jti === undefined
    ? undefined
    : { kind: 'access_token', format, grantId, ref: { jti } };
}
