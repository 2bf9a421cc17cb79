import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { secretKeyObject } from './secret-key-objects';

/** Decodes a 32-byte base64url secret from configuration. */
export function decodeSecret(b64url: string): Buffer {
  const key = Buffer.from(b64url, 'base64url');
  if (key.length !== 32) throw new Error('secret must be 32 bytes (base64url)');
  return key;
}

/**
 * Derives independent sub-keys from one configured secret (HKDF-SHA-256), so
 * the storage hash and the token MAC never share a key.
 */
export function deriveKey(secret: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), `idp:${purpose}`, 32));
}

/**
 * How tokens and client secrets are stored: HMAC-SHA-256 under a server key,
 * base64url. A leaked table cannot be reversed or checked offline without the
 * key; the inputs are high-entropy, so no slow hash is needed per request.
 */
export function keyedHash(key: Buffer, value: string): string {
  return hmacSha256(key, value).toString('base64url');
}

/** HMAC-SHA-256 of a UTF-8 string, as bytes (for MACs that are truncated). */
export function hmacSha256(key: Buffer, value: string): Buffer {
  return createHmac('sha256', secretKeyObject(key)).update(value, 'utf8').digest();
}

/** Constant-time string equality (lengths may leak; contents do not). */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  if (x.length !== y.length) {
    timingSafeEqual(x, x); // keep the timing shape of the equal-length path
    return false;
  }
  return timingSafeEqual(x, y);
}

/** Constant-time byte equality; different lengths are unequal (and reveal only that). */
export function constantTimeEqualBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
