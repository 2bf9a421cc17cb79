// Test helpers for DPoP proofs (no jest globals here, so it also type-checks in the build).
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
} from 'jose';
import { dpopAccessTokenHash, randomUUID } from '@idp/crypto';

export interface ProofKey {
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
  readonly jkt: string;
}

export async function proofKey(alg = 'ES256'): Promise<ProofKey> {
  const pair = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(pair.publicKey);
  return { privateKey: pair.privateKey, jwk, jkt: await calculateJwkThumbprint(jwk, 'sha256') };
}

/** A DPoP proof for `htm` `htu`, signed by `key`; claims override the defaults. */
export function dpopProof(
  key: ProofKey,
  htm: string,
  htu: string,
  claims: Record<string, unknown> = {},
  accessToken?: string,
): Promise<string> {
  return new SignJWT({
    htm,
    htu,
    iat: Math.floor(Date.now() / 1000),
    jti: randomUUID(),
    ...(accessToken === undefined ? {} : { ath: dpopAccessTokenHash(accessToken) }),
    ...claims,
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk })
    .sign(key.privateKey);
}
