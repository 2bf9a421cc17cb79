import { constantTimeEqual, keyedHash, randomBase64url } from '@idp/crypto';

const SALT_BYTES = 16;
const TOKEN = /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/;

/**
 * CSRF tokens bound to an interaction by HMAC (OWASP CSRF cheat sheet,
 * "signed double-submit"): `salt.HMAC(key, interactionId, salt)`. Nothing is
 * stored; a token made for one interaction fails for every other. The random
 * salt makes each rendered page differ (BREACH: a constant secret next to
 * reflected input, like login_hint, in a compressed page can be recovered).
 *
 * `key` should be a dedicated 32-byte key (`deriveKey(secret, 'csrf')`).
 * The caller must take `interactionId` from the interaction cookie, never
 * from the form, or an attacker could submit their own pair.
 */
export function issueCsrf(key: Buffer, interactionId: string): string {
  checkKey(key);
  const salt = randomBase64url(SALT_BYTES);
  return `${salt}.${mac(key, interactionId, salt)}`;
}

export function verifyCsrf(key: Buffer, interactionId: string, token: string | undefined): boolean {
  checkKey(key);
  if (token === undefined || !TOKEN.test(token)) return false;
  const [salt, given] = token.split('.') as [string, string];
  return constantTimeEqual(mac(key, interactionId, salt), given);
}

function mac(key: Buffer, interactionId: string, salt: string): string {
  // Length-prefixed so no (id, salt) pair can collide with another.
  return keyedHash(key, `idp-csrf:${interactionId.length}:${interactionId}:${salt}`);
}

function checkKey(key: Buffer): void {
  if (key.length < 32) throw new Error('CSRF key must be at least 32 bytes');
}
