/**
 * RFC 8628 6.1: user codes a person reads off a TV and types on a phone.
 * Twenty consonants, no vowels (no words), none of the look-alikes 0/O,
 * 1/I/L-with-digits, 5/S or 2/Z ambiguity with digits: 20^8 ≈ 2.6 × 10^10
 * codes of 8 characters, shown as XXXX-XXXX. What the user types is
 * compared case- and dash-insensitively (spaces too), so "bcdf-ghjk",
 * "BCDFGHJK" and "bcdf ghjk" are one code.
 */
export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
export const USER_CODE_LENGTH = 8;

/** The largest multiple of the alphabet's size below 256: bytes above it are skipped (no bias). */
const UNBIASED_LIMIT = 256 - (256 % USER_CODE_ALPHABET.length);

/**
 * A user code from random bytes (the caller draws them: the domain makes no
 * randomness). Rejection sampling keeps every letter equally likely; answers
 * undefined when the bytes ran out first, so the caller draws more.
 */
export function userCodeFromBytes(
  bytes: Uint8Array,
  length: number = USER_CODE_LENGTH,
): string | undefined {
  let code = '';
  for (const byte of bytes) {
    if (byte >= UNBIASED_LIMIT) continue;
    code += USER_CODE_ALPHABET[byte % USER_CODE_ALPHABET.length];
    if (code.length === length) return code;
  }
  return undefined;
}

/** The canonical form of what a user typed, or undefined if it cannot be a user code. */
export function normaliseUserCode(
  input: string,
  length: number = USER_CODE_LENGTH,
): string | undefined {
  // Bounded before any work: the form field is the user's (or an attacker's).
  if (input.length > 4 * length) return undefined;
  const code = input.replace(/[\s-]/g, '').toUpperCase();
  if (code.length !== length) return undefined;
  for (const ch of code) if (!USER_CODE_ALPHABET.includes(ch)) return undefined;
  return code;
}

/** How the code is shown: in two halves with a dash (XXXX-XXXX for 8 characters). */
export function formatUserCode(code: string): string {
  const half = Math.ceil(code.length / 2);
  return `${code.slice(0, half)}-${code.slice(half)}`;
}
