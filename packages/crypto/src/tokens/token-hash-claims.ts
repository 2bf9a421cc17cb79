import { createHash, type Hash } from 'node:crypto';

/**
 * The hash behind a JWS alg, for at_hash / c_hash / s_hash (OIDC Core
 * 3.1.3.6, 3.3.2.11; FAPI 1.0 Advanced 5.1 for s_hash): "the hash algorithm
 * used in the alg Header Parameter of the ID Token's JOSE Header".
 *
 * EdDSA names no hash of its own, so the curve decides. We follow the OpenID
 * Connect WG consensus (openid/connect issue #1125) and what node-oidc-provider,
 * openid-client, zitadel/oidc and FusionAuth do: the hash the signature
 * scheme itself uses (RFC 8032), SHA-512 for Ed25519 and SHAKE256 with a
 * 114-byte output for Ed448. The RFC 9864 fully-specified names `Ed25519`
 * and `Ed448` map the same way. Our key ring only makes Ed25519 keys.
 */
function hashFor(alg: string, crv: string | undefined): Hash {
  switch (alg) {
    case 'RS256':
    case 'PS256':
    case 'ES256':
    case 'ES256K':
      return createHash('sha256');
    case 'RS384':
    case 'PS384':
    case 'ES384':
      return createHash('sha384');
    case 'RS512':
    case 'PS512':
    case 'ES512':
    case 'Ed25519':
      return createHash('sha512');
    case 'Ed448':
      return createHash('shake256', { outputLength: 114 });
    case 'EdDSA':
      if (crv === undefined || crv === 'Ed25519') return createHash('sha512');
      if (crv === 'Ed448') return createHash('shake256', { outputLength: 114 });
      throw new TypeError(`unsupported EdDSA curve for a hash claim: ${crv}`);
    default:
      // `none` and HMAC algs never sign our ID tokens; refuse instead of guessing.
      throw new TypeError(`unsupported alg for a hash claim: ${alg}`);
  }
}

/**
 * base64url(left-most half of hash(ASCII octets of value)). `crv` matters
 * only for EdDSA and defaults to Ed25519. Encoded as UTF-8, which equals the
 * ASCII octets for every token we issue and, unlike node's 'ascii', never
 * folds two different non-ASCII strings onto the same bytes.
 */
export function halfHash(value: string, alg: string, crv?: string): string {
  if (typeof value !== 'string' || value.length === 0)
    throw new TypeError('value to hash must be a non-empty string');
  const digest = hashFor(alg, crv).update(value, 'utf8').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}
