import { decodeJwt, decodeProtectedHeader, type JWK } from 'jose';
import type { Config } from '@idp/config';
import type { KeyEvent } from '@idp/contracts';
import { verifyOpaqueToken, verifyOurJwt } from '@idp/crypto';
import { fold, KEY_RING_STREAM, keyRingDecider } from '@idp/domain';
import type { EventStore } from '@idp/eventstore';
import {
  TokenMinter,
  TokenSecrets,
  USERINFO_HANDLE_HEADER,
  UserinfoHandles,
} from '@idp/token-service';
import { CliError } from './errors';

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const JWE_SHAPE =
  /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Whether an argument is a token rather than a grant id (which is never dotted). */
export const looksLikeToken = (arg: string): boolean =>
  /^(at|rt|ac)_/.test(arg) || JWT_SHAPE.test(arg) || JWE_SHAPE.test(arg);

export interface TokenGrant {
  readonly grantId: string;
  /** What the token was taken for; never the token. */
  readonly kind:
    | 'opaque access token'
    | 'refresh token'
    | 'authorization code'
    | 'JWT access token'
    | 'JWE access token';
  /** The opaque token's keyed hash as the grant's events record it (ADR 0008). */
  readonly tokenHash?: string;
}

const OPAQUE_KIND = {
  at: 'opaque access token',
  rt: 'refresh token',
  ac: 'authorization code',
} as const;

/**
 * A token to its grant the way token-service resolves it (TokenResolver):
 * an opaque token by its MAC (TOKEN_HASH_KEY) and handle, then its keyed hash;
 * a JWT access token by its signature against the key ring and its jti; a
 * JWE by the MACed userinfo handle in its header. Expiry is not checked: the
 * history of an expired token's grant is still wanted. Errors never repeat
 * the token.
 */
export async function grantOfToken(
  token: string,
  config: Config,
  store: EventStore,
): Promise<TokenGrant> {
  const secretsNeeded = () => {
    if (!config.TOKEN_HASH_KEY)
      throw new CliError('TOKEN_HASH_KEY is needed to resolve a token (or give the grant id)');
    return config;
  };
  const opaque = /^(at|rt|ac)_/.exec(token);
  if (opaque) {
    const secrets = new TokenSecrets(secretsNeeded());
    const parts = verifyOpaqueToken(token, secrets.macKey);
    if (!parts)
      throw new CliError('the token is not one this deployment issued (its MAC does not verify)');
    // Unreachable through the prefix test above; a device code (dc_) names no grant.
    if (parts.kind === 'dc') throw new CliError('a device code belongs to no grant');
    return {
      grantId: parts.handle,
      kind: OPAQUE_KIND[parts.kind],
      tokenHash: secrets.tokenHash(token),
    };
  }
  if (JWE_SHAPE.test(token)) {
    const handles = new UserinfoHandles(secretsNeeded());
    let handle: unknown;
    try {
      handle = decodeProtectedHeader(token)[USERINFO_HANDLE_HEADER];
    } catch {
      handle = undefined;
    }
    const grantId = grantOf(handles.jtiOf(handle));
    if (!grantId)
      throw new CliError('the encrypted token carries no userinfo handle this deployment minted');
    return { grantId, kind: 'JWE access token' };
  }
  if (JWT_SHAPE.test(token)) {
    const ring = fold(
      keyRingDecider,
      (await store.readStream(KEY_RING_STREAM)) as unknown as KeyEvent[],
    );
    const jwks = [...ring.keys.values()].map((k) => k.publicJwk) as unknown as JWK[];
    let iat: unknown;
    try {
      iat = decodeJwt(token).iat;
    } catch {
      iat = undefined;
    }
    const payload = await verifyOurJwt(token, {
      jwks,
      issuer: config.ISSUER,
      typ: 'at+jwt',
      ...(typeof iat === 'number' ? { now: iat } : {}),
    }).catch(() => undefined);
    const grantId = grantOf(typeof payload?.jti === 'string' ? payload.jti : undefined);
    if (!grantId)
      throw new CliError(
        'the JWT is not an access token this deployment signed (signature, issuer or typ)',
      );
    return { grantId, kind: 'JWT access token' };
  }
  throw new CliError('not a token this deployment issues');
}

const grantOf = (jti: string | undefined) =>
  jti === undefined ? undefined : TokenMinter.grantIdOfJti(jti);
