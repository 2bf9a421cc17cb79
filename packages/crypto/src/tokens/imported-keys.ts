import { importJWK, type CryptoKey, type JWK } from 'jose';

/**
 * Imported public keys by their public members: a resource server's key is
 * imported once, not per token. Bounded so that rotations cannot grow it
 * without limit; a failed import is not kept.
 */
const imported = new Map<string, Promise<CryptoKey | Uint8Array>>();
const MAX_IMPORTED = 256;

export function importPublicKeyOnce(jwk: JWK, alg: string): Promise<CryptoKey | Uint8Array> {
  const id = JSON.stringify([alg, jwk.kty, jwk.crv, jwk.n, jwk.e, jwk.x, jwk.y]);
  let key = imported.get(id);
  if (!key) {
    if (imported.size >= MAX_IMPORTED) imported.clear();
    key = importJWK(jwk, alg);
    key.catch(() => imported.delete(id));
    imported.set(id, key);
  }
  return key;
}
