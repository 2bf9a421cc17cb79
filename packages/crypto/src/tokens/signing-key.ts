import {
  createPrivateKey,
  randomBytes,
  type JsonWebKey as NodeJsonWebKey,
  type KeyObject,
} from 'node:crypto';
import type { CryptoKey, JWK } from 'jose';
import { SIGNING_ALGS, type SigningAlg } from '../signing-keys';

/** The private half of one key-ring key, ready to sign with (signCompactJws). */
export interface TokenSigningKey {
  readonly kid: string;
  readonly alg: SigningAlg;
  readonly privateKey: KeyObject;
}

/** A private key as signCompactJws signs with it: made once per key (key ring cache), not per token. */
export type PrivateSigningKey = KeyObject;

/** A decrypted private JWK as a KeyObject, with no checks: for keys the key ring already validated. */
export function privateKeyFromJwk(privateJwk: JWK): PrivateSigningKey {
  return createPrivateKey({ key: privateJwk as NodeJsonWebKey, format: 'jwk' });
}

/** What every signer returns: the compact JWS, its id and its expiry. */
export interface SignedToken {
  readonly token: string;
  readonly jti: string;
  /** Seconds since the epoch. */
  readonly exp: number;
}

/**
 * Imports a decrypted private JWK from the key ring. Only our asymmetric
 * algorithms pass: a symmetric key or `none` here would let anyone holding
 * the verification material forge tokens.
 */
export async function importTokenSigningKey(privateJwk: JWK): Promise<TokenSigningKey> {
  const { kid, alg } = privateJwk;
  if (!kid) throw new Error('signing JWK needs a kid');
  if (!isSigningAlg(alg))
    throw new Error(`signing JWK alg must be one of ${SIGNING_ALGS.join(', ')}`);
  if (!privateJwk.d) throw new Error('signing JWK must be a private key');
  if (alg === 'EdDSA' && privateJwk.crv !== 'Ed25519')
    throw new Error('EdDSA keys must be Ed25519');
  if (privateJwk.kty === 'oct') throw new Error('signing JWK must be asymmetric');
  const privateKey = createPrivateKey({ key: privateJwk as NodeJsonWebKey, format: 'jwk' });
  return { kid, alg, privateKey };
}

export function isSigningAlg(alg: unknown): alg is SigningAlg {
  return (SIGNING_ALGS as readonly unknown[]).includes(alg);
}

/**
 * Runtime guard for callers outside the type system (config, RPC): every
 * signer calls it so a key can never sign with `none` or an HMAC.
 */
export function assertSigningKey(key: TokenSigningKey): void {
  if (!key || typeof key.kid !== 'string' || key.kid.length === 0)
    throw new Error('signing key needs a kid');
  if (!isSigningAlg(key.alg)) throw new Error(`unsupported signing alg: ${String(key.alg)}`);
  if (key.privateKey?.type !== 'private') throw new Error('signing key must be a private key');
}

/**
 * The curve behind an EdDSA key, for the *_hash claims ("EdDSA" alone does not
 * name a hash). Works for node KeyObjects and WebCrypto CryptoKeys.
 */
export function okpCurve(key: CryptoKey | KeyObject): string | undefined {
  const k = key as {
    asymmetricKeyType?: string;
    algorithm?: { name?: string; namedCurve?: string };
  };
  if (k.asymmetricKeyType === 'ed25519') return 'Ed25519';
  if (k.asymmetricKeyType === 'ed448') return 'Ed448';
  return k.algorithm?.namedCurve ?? k.algorithm?.name;
}

/** 128 random bits: unguessable and unique without coordination between replicas. */
export function newJti(): string {
  return randomBytes(16).toString('base64url');
}

/** NumericDate arithmetic with the checks a clock bug would otherwise smuggle into a token. */
export function lifetime(now: number, lifetimeSeconds: number): { iat: number; exp: number } {
  // Above 1e11 (year 5138) the caller almost surely passed Date.now() milliseconds.
  if (!Number.isInteger(now) || now < 0 || now > 1e11)
    throw new Error('now must be epoch seconds (integer)');
  if (!Number.isInteger(lifetimeSeconds) || lifetimeSeconds <= 0)
    throw new Error('lifetimeSeconds must be a positive integer');
  return { iat: now, exp: now + lifetimeSeconds };
}
