import { constants, KeyObject, sign, type SignKeyObjectInput } from 'node:crypto';
import type { SigningAlg } from '../signing-keys';
import { isSigningAlg } from './signing-key';

/** The protected header of every token we sign: alg, kid, typ, in that order. */
export interface JwsHeader {
  readonly alg: SigningAlg;
  readonly kid: string;
  readonly typ: string;
}

/**
 * Signs a compact JWS (RFC 7515 7.1) with node:crypto on the calling thread.
 * jose signs through WebCrypto, whose every signature is a hop to the thread
 * pool and back (ADR 0025): node's one-shot `crypto.sign` costs about 1.3-2x
 * less CPU per signature (ADR 0025 addendum). The output is what jose's SignJWT produces for the same
 * header and claims: base64url(JSON header) "." base64url(JSON claims) "."
 * base64url(signature), ES256 in the JWS form (r || s, RFC 7518 3.4), never
 * DER. Verification stays with jose.
 */
export function signCompactJws(
  header: JwsHeader,
  claims: Readonly<Record<string, unknown>>,
  key: KeyObject,
): string {
  assertKeyFitsAlg(key, header.alg);
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims))}`;
  const signature = sign(DIGEST[header.alg], Buffer.from(input), signOptions(key, header.alg));
  return `${input}.${signature.toString('base64url')}`;
}

function b64u(text: string): string {
  return Buffer.from(text).toString('base64url');
}

/** RFC 7518 3.1 / 8037 3.1: the digest node applies before signing; EdDSA hashes internally. */
const DIGEST: Record<SigningAlg, string | null> = {
  RS256: 'sha256',
  PS256: 'sha256',
  ES256: 'sha256',
  EdDSA: null,
};

function signOptions(key: KeyObject, alg: SigningAlg): SignKeyObjectInput | KeyObject {
  switch (alg) {
    case 'RS256':
      return { key, padding: constants.RSA_PKCS1_PADDING };
    case 'PS256':
      // RFC 7518 3.5: MGF1 with SHA-256 and a salt as long as the digest.
      return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
    case 'ES256':
      // node's default is DER; JWS wants the fixed-width r || s (RFC 7518 3.4).
      return { key, dsaEncoding: 'ieee-p1363' };
    case 'EdDSA':
      return key;
  }
}

/**
 * Every key is checked against the alg it signs for, as jose would: an EC key
 * must not sign RS256, an RSA key under 2048 bits must not sign at all. (A
 * KeyObject, not a WebCrypto CryptoKey: node deprecates CryptoKeys in
 * node:crypto, DEP0203.) The details are cached by node: the check is cheap.
 */
function assertKeyFitsAlg(key: KeyObject, alg: SigningAlg): void {
  // The type says SigningAlg; a caller outside the type system (a cast, an RPC) must not get past it.
  if (!isSigningAlg(alg)) throw new TypeError(`unsupported signing alg: ${String(alg)}`);
  if (!(key instanceof KeyObject) || key.type !== 'private')
    throw new TypeError(`${alg} signs with a private KeyObject`);
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails;
  const fits =
    alg === 'ES256'
      ? type === 'ec' && details?.namedCurve === 'prime256v1'
      : alg === 'EdDSA'
        ? type === 'ed25519'
        : (type === 'rsa' || (alg === 'PS256' && type === 'rsa-pss')) &&
          (details?.modulusLength ?? 0) >= 2048;
  if (!fits) throw new TypeError(`the key does not fit ${alg}`);
}
