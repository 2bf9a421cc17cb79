import type { JWK } from 'jose';
import type { Config } from '@idp/config';
import type { KeyEvent } from '@idp/contracts';
import { fold, KEY_RING_STREAM, keyRingDecider, type TokenRef } from '@idp/domain';
import type { EventStore } from '@idp/eventstore';
import { identifyToken, TokenSecrets, UserinfoHandles } from '@idp/token-service';
import { CliError } from './errors';

export { looksLikeToken } from '@idp/token-service';

export interface TokenGrant {
  readonly grantId: string;
  /** What the token was taken for; never the token. */
  readonly kind:
    | 'opaque access token'
    | 'refresh token'
    | 'authorization code'
    | 'JWT access token'
    | 'JWE access token';
  /** How the grant's events name it: the opaque token's keyed hash (ADR 0008) or the jti. */
  readonly ref: TokenRef;
  /** What its history is about: an access or refresh token (a code has no state of its own). */
  readonly role: 'access_token' | 'refresh_token' | 'authorization_code';
}

const NOT_OURS = {
  opaque: 'the token is not one this deployment issued (its MAC does not verify)',
  jwe: 'the encrypted token carries no userinfo handle this deployment minted',
  jwt: 'the JWT is not an access token this deployment signed (signature, issuer or typ)',
} as const;

/**
 * A token to its grant the way token-service identifies it for its history
 * (`identifyToken`, ADR 0037): an opaque token by its MAC (TOKEN_HASH_KEY)
 * and keyed hash, a JWT access token by its signature against any key of
 * the ring and its jti, a JWE by the MACed userinfo handle in its header.
 * Expiry is not checked: the history of an expired token's grant is still
 * wanted. Errors never repeat the token.
 */
export async function grantOfToken(
  token: string,
  config: Config,
  store: EventStore,
): Promise<TokenGrant> {
  // The secrets are needed only for opaque tokens and JWE handles: a JWT needs the ring alone.
  const secretsNeeded = () => {
    if (!config.TOKEN_HASH_KEY)
      throw new CliError('TOKEN_HASH_KEY is needed to resolve a token (or give the grant id)');
    return config;
  };
  let secrets: TokenSecrets | undefined;
  let handles: UserinfoHandles | undefined;
  const identity = await identifyToken(token, {
    secrets: {
      get macKey() {
        return (secrets ??= new TokenSecrets(secretsNeeded())).macKey;
      },
      tokenHash: (t) => (secrets ??= new TokenSecrets(secretsNeeded())).tokenHash(t),
    },
    handles: { jtiOf: (h) => (handles ??= new UserinfoHandles(secretsNeeded())).jtiOf(h) },
    jwks: async () => {
      const ring = fold(
        keyRingDecider,
        (await store.readStream(KEY_RING_STREAM)) as unknown as KeyEvent[],
      );
      return [...ring.keys.values()].map((k) => k.publicJwk) as unknown as JWK[];
    },
    issuer: config.ISSUER,
  });
  const shape = /^(at|rt|ac|dc)_/.test(token)
    ? 'opaque'
    : token.split('.').length === 5
      ? 'jwe'
      : 'jwt';
  if (identity === undefined) throw new CliError(NOT_OURS[shape]);
  switch (identity.kind) {
    case 'access_token':
      return {
        grantId: identity.grantId,
        ref: identity.ref,
        role: 'access_token',
        kind:
          identity.format === 'opaque'
            ? 'opaque access token'
            : identity.format === 'jwt'
              ? 'JWT access token'
              : 'JWE access token',
      };
    case 'refresh_token':
      return {
        grantId: identity.grantId,
        ref: identity.ref,
        role: 'refresh_token',
        kind: 'refresh token',
      };
    case 'authorization_code':
      return {
        grantId: identity.grantId,
        ref: identity.ref,
        role: 'authorization_code',
        kind: 'authorization code',
      };
    case 'device_code':
      throw new CliError('a device code belongs to no grant');
    case 'id_token':
      throw new CliError('an ID token is not an access or refresh token: give the grant id');
    case 'logout_token':
      throw new CliError('a logout token is not an access or refresh token');
  }
}
