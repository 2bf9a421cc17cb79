import { randomUUID } from 'node:crypto';
import { CompactEncrypt, compactDecrypt, exportJWK, generateKeyPair, type JWK } from 'jose';

export const SIGNING_ALGS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

export interface GeneratedSigningKey {
  readonly kid: string;
  readonly alg: SigningAlg;
  readonly publicJwk: JWK;
  readonly privateJwk: JWK;
}

/** Generates a key pair for `alg` (RSA 2048 for RS256/PS256, P-256, Ed25519). */
export async function generateSigningKey(alg: SigningAlg): Promise<GeneratedSigningKey> {
  const options =
    alg === 'EdDSA'
      ? { crv: 'Ed25519', extractable: true }
      : { modulusLength: 2048, extractable: true };
  const { publicKey, privateKey } = await generateKeyPair(alg, options);
  const kid = randomUUID();
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
  return { kid, alg, publicJwk, privateJwk };
}

/**
 * Private keys are stored only as a compact JWE (dir + A256GCM) under the
 * key-encryption key; the kid is bound as additional authenticated data so a
 * ciphertext cannot be swapped onto another key's record.
 */
export async function encryptPrivateJwk(jwk: JWK, kek: Buffer): Promise<string> {
  if (!jwk.kid) throw new Error('private JWK needs a kid');
  return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(jwk)))
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: jwk.kid })
    .encrypt(kek);
}

export async function decryptPrivateJwk(
  jwe: string,
  kek: Buffer,
  expectedKid: string,
): Promise<JWK> {
  const { plaintext, protectedHeader } = await compactDecrypt(jwe, kek, {
    keyManagementAlgorithms: ['dir'],
    contentEncryptionAlgorithms: ['A256GCM'],
  });
  if (protectedHeader.kid !== expectedKid)
    throw new Error('encrypted key does not belong to this kid');
  const jwk = JSON.parse(new TextDecoder().decode(plaintext)) as JWK;
  if (jwk.kid !== expectedKid) throw new Error('encrypted key does not belong to this kid');
  return jwk;
}
