import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const SALT_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Authenticated encryption of a small value for a cookie (AES-256-GCM): the
 * browser can hold it but neither read nor change it. `aad` binds the box to
 * its context (e.g. the interaction id in the URL), so a box made for one
 * context never opens in another.
 *
 * Each box gets its own key, HKDF(key, random salt): GCM's random 96-bit IVs
 * are then never at risk of repeating under one key, however many boxes the
 * deployment makes over the life of the configured secret (NIST SP 800-38D 8.3).
 */
export function sealBox(key: Buffer, aad: string, plaintext: string): string {
  const salt = randomBytes(SALT_BYTES);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', boxKey(key, salt), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([salt, iv, ciphertext, cipher.getAuthTag()]).toString('base64url');
}

/** The plaintext, or undefined when the box is malformed, forged, or for another context. */
export function openBox(key: Buffer, aad: string, box: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(box)) return undefined;
  const bytes = Buffer.from(box, 'base64url');
  if (bytes.length < SALT_BYTES + IV_BYTES + TAG_BYTES) return undefined;
  const salt = bytes.subarray(0, SALT_BYTES);
  const iv = bytes.subarray(SALT_BYTES, SALT_BYTES + IV_BYTES);
  const ciphertext = bytes.subarray(SALT_BYTES + IV_BYTES, bytes.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', boxKey(key, salt), iv, {
    authTagLength: TAG_BYTES,
  });
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

function boxKey(key: Buffer, salt: Buffer): Buffer {
  if (key.length !== 32) throw new Error('sealed box key must be 32 bytes');
  return Buffer.from(hkdfSync('sha256', key, salt, 'idp:sealed-box:v1', 32));
}
