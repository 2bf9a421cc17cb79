import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

// OWASP's scrypt minimum (N=2^17, r=8, p=1) costs ~128 MiB and ~100 ms: fine
// for a login form, deliberately far too slow for guessing.
const DEFAULTS = { N: 2 ** 17, r: 8, p: 1, keyLength: 32 };
const FORMAT = /^scrypt\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9_-]{22,})\$([A-Za-z0-9_-]{43,})$/;

function derive(
  password: string,
  salt: Buffer,
  N: number,
  r: number,
  p: number,
  keyLength: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(
      password.normalize('NFC'),
      salt,
      keyLength,
      { N, r, p, maxmem: 256 * N * r + 1024 * 1024 },
      (err, key) => (err ? reject(err) : resolve(key)),
    ),
  );
}

/** `scrypt$N=…,r=…,p=…$salt$hash` (base64url): self-describing, so costs can rise later. */
export async function hashPassword(
  password: string,
  cost: Partial<typeof DEFAULTS> = {},
): Promise<string> {
  if (password.includes('\u0000')) throw new RangeError('a password must not contain NUL');
  const { N, r, p, keyLength } = { ...DEFAULTS, ...cost };
  const salt = randomBytes(16);
  const key = await derive(password, salt, N, r, p, keyLength);
  return `scrypt$N=${N},r=${r},p=${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/**
 * Constant-time check; a malformed stored hash never matches. Nor does a
 * password with NUL: HMAC (inside scrypt) zero-pads its key, so `secret\0`
 * derives the same key as `secret`. The work is still done, for equal timing.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = FORMAT.exec(stored);
  if (!m) return false;
  const [, N, r, p, salt, hash] = m as unknown as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(
    password,
    Buffer.from(salt, 'base64url'),
    Number(N),
    Number(r),
    Number(p),
    expected.length,
  );
  return timingSafeEqual(key, expected) && !password.includes('\u0000');
}

/** A fixed hash to verify against when the user does not exist, so timing does not reveal usernames. */
export const DUMMY_PASSWORD_HASH =
  'scrypt$N=131072,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
