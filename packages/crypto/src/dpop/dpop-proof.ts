import {
  calculateJwkThumbprint,
  compactVerify,
  decodeProtectedHeader,
  importJWK,
  type JWK,
  type ProtectedHeaderParameters,
} from 'jose';
import { sha256Base64url } from '../digest';
import { normaliseHtu } from './htu';

/**
 * Every alg a DPoP proof may use here: asymmetric signatures only (RFC 9449
 * 4.2: never `none`, never a MAC). A deployment narrows it with
 * DPOP_SIGNING_ALGS; the verifier refuses anything outside both lists.
 */
export const DPOP_ALGS = ['ES256', 'ES384', 'EdDSA', 'RS256', 'PS256'] as const;
export type DpopAlg = (typeof DPOP_ALGS)[number];

/** A proof longer than this is refused before parsing (an RSA 4096 jwk fits in ~1.5 KB). */
export const MAX_DPOP_PROOF_LENGTH = 4096;
/** jti length bounds: enough for any random id (RFC 9449 4.2 suggests 96 bits), bounded for storage. */
export const MAX_DPOP_JTI_LENGTH = 256;
const MIN_DPOP_JTI_LENGTH = 8;
/** A server nonce (8.1) is ours and short; anything longer is not one. */
const MAX_DPOP_NONCE_LENGTH = 256;

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** JWK members that only a private key has (RFC 7517, RFC 7518 6.2.2, 6.3.2, RFC 8037 2). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;
const KEY_TYPE_OF: Readonly<Record<DpopAlg, string>> = {
  ES256: 'EC',
  ES384: 'EC',
  EdDSA: 'OKP',
  RS256: 'RSA',
  PS256: 'RSA',
};

export interface DpopProofCheck {
  /** The one DPoP header's value. */
  readonly proof: string;
  /** The request's method, as received. */
  readonly method: string;
  /** The request's public URL (issuer origin and path); query and fragment are ignored. */
  readonly url: string;
  /** Seconds since the epoch. */
  readonly now: number;
  /** The algs this deployment accepts (a subset of DPOP_ALGS). */
  readonly algs: readonly string[];
  /** How old an iat may be, seconds. */
  readonly maxAge: number;
  /** How far an iat may be in the future, seconds (clock skew). */
  readonly skew: number;
  /** Presented with a protected resource request: the proof must carry its `ath` (RFC 9449 7). */
  readonly accessToken?: string | undefined;
}

export interface VerifiedDpopProof {
  /** RFC 7638 SHA-256 thumbprint of the proof's public key: what tokens are bound to. */
  readonly jkt: string;
  readonly jti: string;
  readonly iat: number;
  /** The server nonce the proof carries, if any; the caller checks it. */
  readonly nonce?: string;
}

/** Why a proof was refused; the text is safe to show to the client (no proof content). */
export class DpopProofError extends Error {
  override readonly name = 'DpopProofError';
}

/**
 * Checks a DPoP proof JWT (RFC 9449 4.3, items 1-11 except the nonce and
 * the jti replay, which need shared state and are the caller's): one compact
 * JWS, `typ` dpop+jwt, an allowed asymmetric alg, a public `jwk` of the
 * alg's key type whose signature verifies, `htm` and `htu` of this request,
 * a fresh `iat`, a bounded `jti`, and `ath` when an access token is presented.
 */
export async function verifyDpopProof(check: DpopProofCheck): Promise<VerifiedDpopProof> {
  const { proof } = check;
  if (proof.length > MAX_DPOP_PROOF_LENGTH) throw new DpopProofError('the DPoP proof is too large');
  if (!COMPACT_JWS.test(proof)) throw new DpopProofError('the DPoP proof is not a compact JWS');
  const header = protectedHeader(proof);
  if (header.typ !== 'dpop+jwt') throw new DpopProofError('the DPoP proof typ must be dpop+jwt');
  const alg = header.alg;
  if (typeof alg !== 'string' || !isDpopAlg(alg) || !check.algs.includes(alg))
    throw new DpopProofError('the DPoP proof alg is not supported');
  const jwk = publicJwk(header.jwk, alg);
  const payload = await verifiedPayload(proof, jwk, alg);

  if (payload.htm !== check.method) throw new DpopProofError('htm does not match the request');
  const htu = typeof payload.htu === 'string' ? normaliseHtu(payload.htu) : undefined;
  if (htu === undefined || htu !== normaliseHtu(check.url))
    throw new DpopProofError('htu does not match the request');
  if (typeof payload.htu === 'string' && /[?#]/.test(payload.htu))
    throw new DpopProofError('htu must not carry a query or fragment');
  const iat = payload.iat;
  if (typeof iat !== 'number' || !Number.isFinite(iat))
    throw new DpopProofError('the DPoP proof has no iat');
  if (iat < check.now - check.maxAge || iat > check.now + check.skew)
    throw new DpopProofError('the DPoP proof iat is outside the accepted window');
  const jti = payload.jti;
  if (
    typeof jti !== 'string' ||
    jti.length < MIN_DPOP_JTI_LENGTH ||
    jti.length > MAX_DPOP_JTI_LENGTH
  )
    throw new DpopProofError('the DPoP proof jti is missing or of the wrong length');
  if (check.accessToken !== undefined) {
    if (typeof payload.ath !== 'string') throw new DpopProofError('the DPoP proof has no ath');
    if (payload.ath !== dpopAccessTokenHash(check.accessToken))
      throw new DpopProofError('ath does not match the access token');
  }
  const nonce = payload.nonce;
  if (nonce !== undefined && (typeof nonce !== 'string' || nonce.length > MAX_DPOP_NONCE_LENGTH))
    throw new DpopProofError('the DPoP proof nonce is malformed');
  return {
    jkt: await calculateJwkThumbprint(jwk, 'sha256'),
    jti,
    iat,
    ...(nonce === undefined ? {} : { nonce }),
  };
}

/** RFC 9449 4.2 `ath`: base64url(SHA-256(ASCII access token)). */
export function dpopAccessTokenHash(accessToken: string): string {
  return sha256Base64url(accessToken);
}

function isDpopAlg(alg: string): alg is DpopAlg {
  return (DPOP_ALGS as readonly string[]).includes(alg);
}

function protectedHeader(proof: string): ProtectedHeaderParameters {
  try {
    return decodeProtectedHeader(proof);
  } catch {
    throw new DpopProofError('the DPoP proof header is malformed');
  }
}

function publicJwk(value: unknown, alg: DpopAlg): JWK {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new DpopProofError('the DPoP proof has no jwk');
  const jwk = value as JWK;
  if (PRIVATE_MEMBERS.some((m) => m in jwk))
    throw new DpopProofError('the DPoP proof jwk must be a public key');
  if (jwk.kty !== KEY_TYPE_OF[alg])
    throw new DpopProofError('the DPoP proof jwk does not fit its alg');
  return jwk;
}

async function verifiedPayload(
  proof: string,
  jwk: JWK,
  alg: DpopAlg,
): Promise<Record<string, unknown>> {
  let verified: Awaited<ReturnType<typeof compactVerify>>;
  try {
    const key = await importJWK(jwk, alg);
    verified = await compactVerify(proof, key, { algorithms: [alg] });
  } catch {
    throw new DpopProofError('the DPoP proof signature does not verify');
  }
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder().decode(verified.payload));
  } catch {
    throw new DpopProofError('the DPoP proof payload is not JSON');
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    throw new DpopProofError('the DPoP proof payload is not a JSON object');
  return payload as Record<string, unknown>;
}
