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
 * Signs a compact JWS (RFC 7515 7.1) with node:crypto's one-shot `sign`:
 * jose signs through WebCrypto, which costs about 1.3-2x more CPU per
 * signature (ADR 0025 addendum). RSA signatures (RS256, PS256: ~0.3 ms each)
 * run on libuv's thread pool, node's callback form of `sign`, so a process
 * spreads them over idle cores while its loop goes on; ES256 and EdDSA
 * (~0.06 ms) run on the calling thread, cheaper than the hop (ADR 0025,
 * second addendum). The output is what jose's SignJWT produces for the same
 * header and claims: base64url(JSON header) "." base64url(JSON claims) "."
 * base64url(signature), ES256 in the JWS form (r || s, RFC 7518 3.4), never
 * DER. Verification stays with jose.
 */
export async function signCompactJws(
  header: JwsHeader,
  claims: Readonly<Record<string, unknown>>,
  key: KeyObject,
): Promise<string> {
  assertKeyFitsAlg(key, header.alg);
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims))}`;
  const data = Buffer.from(input);
  const options = signOptions(key, header.alg);
  const signature = OFF_LOOP.has(header.alg)
    ? await new Promise<Buffer>((resolve, reject) =>
        sign(DIGEST[header.alg], data, options, (err, sig) => (err ? reject(err) : resolve(sig))),
      )
    : sign(DIGEST[header.alg], data, options);
  return `${input}.${signature.toString('base64url')}`;
}

/** Signed on the thread pool: their arithmetic outweighs the hop to a pool thread and back. */
const OFF_LOOP: ReadonlySet<SigningAlg> = new Set(['RS256', 'PS256']);

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
