import { CompactEncrypt, importJWK, type CryptoKey, type JWK } from 'jose';
import { LRUCache } from 'lru-cache';
import { ACCESS_TOKEN_TYP, type AccessTokenContentEncryption } from '@idp/crypto';
import type { RegisteredResource } from '@idp/domain';

/** AES-256-GCM: the content encryption every JOSE library an RS may use supports. */
const ENC: AccessTokenContentEncryption = 'A256GCM';

/**
 * Imported keys by their public members: key material is loaded once, not per
 * token (lru-cache's fetch: concurrent first uses share one import, a failed
 * one is not kept). Bounded so that rotations cannot grow it without limit.
 */
const imported = new LRUCache<string, CryptoKey | Uint8Array, JWK & { alg: string }>({
  max: 256,
  ignoreFetchAbort: true,
  fetchMethod: (_id, _stale, { context: jwk }) => importJWK(jwk, jwk.alg),
});

async function importOnce(jwk: JWK & { alg: string }): Promise<CryptoKey | Uint8Array> {
  const id = JSON.stringify([jwk.alg, jwk.kty, jwk.crv, jwk.n, jwk.e, jwk.x, jwk.y]);
  const key = await imported.fetch(id, { context: jwk });
  // Only an aborted fetch without a value resolves undefined; ignoreFetchAbort keeps the value.
  return key ?? importJWK(jwk, jwk.alg);
}

/**
 * Nests our signed `at+jwt` in a JWE to the resource server's first key,
 * with the same header as @idp/crypto's encryptAccessToken (cty JWT, typ
 * at+jwt, the key's kid), so `decryptAccessToken` reads it, plus optional
 * extra parameters (the userinfo handle). Those must go in the protected
 * header: compact serialization has no other, and the RS's decryption then
 * authenticates them. The key was checked when the resource was registered
 * (public, use enc, alg fits the key), so it is not re-checked per token.
 */
export async function encryptForResource(
  signedJwt: string,
  resource: RegisteredResource,
  extraHeader: Readonly<Record<string, string>> = {},
): Promise<string> {
  const jwk = resource.keys[0] as JWK | undefined;
  if (!jwk?.alg) throw new Error(`resource ${resource.resource} has no encryption key`);
  const key = await importOnce({ ...jwk, alg: jwk.alg });
  return new CompactEncrypt(new TextEncoder().encode(signedJwt))
    .setProtectedHeader({
      ...extraHeader,
      alg: jwk.alg,
      enc: ENC,
      cty: 'JWT',
      typ: ACCESS_TOKEN_TYP,
      ...(jwk.kid ? { kid: jwk.kid } : {}),
    })
    .encrypt(key);
}
