import { randomBytes } from '@idp/crypto';
import { issueCsrf, verifyCsrf } from './csrf';

const key = randomBytes(32);

describe('CSRF tokens', () => {
  it('accepts a token for the interaction it was issued for', () => {
    expect(verifyCsrf(key, 'i-1', issueCsrf(key, 'i-1'))).toBe(true);
  });

  it('differs on every issue (BREACH) yet each verifies', () => {
    const a = issueCsrf(key, 'i-1');
    const b = issueCsrf(key, 'i-1');
    expect(a).not.toBe(b);
    expect(verifyCsrf(key, 'i-1', a) && verifyCsrf(key, 'i-1', b)).toBe(true);
  });

  it('rejects a token for another interaction', () => {
    expect(verifyCsrf(key, 'i-2', issueCsrf(key, 'i-1'))).toBe(false);
  });

  it('rejects a token made with another key', () => {
    expect(verifyCsrf(key, 'i-1', issueCsrf(randomBytes(32), 'i-1'))).toBe(false);
  });

  it('rejects a tampered token', () => {
    const token = issueCsrf(key, 'i-1');
    const [salt, mac] = token.split('.') as [string, string];
    const flipped = `${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`;
    expect(verifyCsrf(key, 'i-1', `${salt}.${flipped}`)).toBe(false);
    const otherSalt = `${salt.slice(0, -1)}${salt.endsWith('A') ? 'B' : 'A'}`;
    expect(verifyCsrf(key, 'i-1', `${otherSalt}.${mac}`)).toBe(false);
  });

  it.each([undefined, '', 'x', 'a.b', `${'a'.repeat(22)}.${'b'.repeat(43)}x`, ' '.repeat(66)])(
    'rejects a malformed token %j',
    (token) => {
      expect(verifyCsrf(key, 'i-1', token)).toBe(false);
    },
  );

  it('does not let the interaction id and salt run into each other', () => {
    const token = issueCsrf(key, 'ab');
    expect(verifyCsrf(key, 'a', token)).toBe(false);
    expect(verifyCsrf(key, 'ab:', token)).toBe(false);
  });

  it('refuses a short key', () => {
    expect(() => issueCsrf(Buffer.alloc(16), 'i-1')).toThrow('at least 32 bytes');
    expect(() => verifyCsrf(Buffer.alloc(16), 'i-1', 'x')).toThrow('at least 32 bytes');
  });
});
