import { randomBytes } from 'node:crypto';
import { constantTimeEqual, decodeSecret, deriveKey, keyedHash } from './keyed-hash';
import { mintOpaqueToken, verifyOpaqueToken } from './opaque-token';
import { decryptPrivateJwk, encryptPrivateJwk, generateSigningKey } from './signing-keys';

const secret = randomBytes(32);

describe('keyed hashes', () => {
  it('derives distinct keys per purpose and hashes deterministically', () => {
    const a = deriveKey(secret, 'token-hash');
    const b = deriveKey(secret, 'token-mac');
    expect(a.equals(b)).toBe(false);
    expect(keyedHash(a, 'x')).toBe(keyedHash(a, 'x'));
    expect(keyedHash(a, 'x')).not.toBe(keyedHash(b, 'x'));
    expect(keyedHash(a, 'x')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('compares in constant time, including different lengths', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
  });

  it('rejects secrets that are not 32 bytes', () => {
    expect(() => decodeSecret('c2hvcnQ')).toThrow(/32 bytes/);
    expect(decodeSecret(secret.toString('base64url')).equals(secret)).toBe(true);
  });
});

describe('opaque tokens', () => {
  const macKey = deriveKey(secret, 'token-mac');
  const grant = '0192f5a8-7c1e-7d3a-9b2c-4d5e6f708192';

  it('mints tokens that verify, with their kind and handle', () => {
    const t = mintOpaqueToken('at', macKey, grant);
    expect(t).toMatch(new RegExp(`^at_${grant}\\.[A-Za-z0-9_-]{65}$`));
    expect(verifyOpaqueToken(t, macKey)).toEqual({ kind: 'at', handle: grant });
    expect(verifyOpaqueToken(mintOpaqueToken('rt', macKey, 'g1'), macKey)).toEqual({
      kind: 'rt',
      handle: 'g1',
    });
  });

  it('never mints the same token twice for one handle', () => {
    expect(mintOpaqueToken('at', macKey, grant)).not.toBe(mintOpaqueToken('at', macKey, grant));
  });

  it('rejects forged, altered, re-kinded, re-pointed and foreign tokens', () => {
    const t = mintOpaqueToken('at', macKey, grant);
    const i = t.length - 30;
    const flipped = t.slice(0, i) + (t[i] === 'A' ? 'B' : 'A') + t.slice(i + 1);
    expect(verifyOpaqueToken(flipped, macKey)).toBeNull();
    expect(verifyOpaqueToken('rt' + t.slice(2), macKey)).toBeNull();
    expect(verifyOpaqueToken(t.replace(grant, 'other-grant'), macKey)).toBeNull();
    expect(verifyOpaqueToken(t, deriveKey(randomBytes(32), 'token-mac'))).toBeNull();
    expect(verifyOpaqueToken('garbage', macKey)).toBeNull();
    expect(verifyOpaqueToken('x'.repeat(1_000_000), macKey)).toBeNull();
  });

  it('refuses handles that could break the format', () => {
    expect(() => mintOpaqueToken('at', macKey, 'a.b')).toThrow(RangeError);
    expect(() => mintOpaqueToken('at', macKey, '')).toThrow(RangeError);
  });
});

describe('signing keys', () => {
  it.each(['RS256', 'PS256', 'ES256', 'EdDSA'] as const)(
    'generates %s keys whose private half survives encryption',
    async (alg) => {
      const key = await generateSigningKey(alg);
      expect(key.publicJwk).toMatchObject({ kid: key.kid, alg, use: 'sig' });
      expect(key.publicJwk).not.toHaveProperty('d');
      const kek = randomBytes(32);
      const jwe = await encryptPrivateJwk(key.privateJwk, kek);
      expect(jwe).not.toContain(String(key.privateJwk.d));
      await expect(decryptPrivateJwk(jwe, kek, key.kid)).resolves.toEqual(key.privateJwk);
      await expect(decryptPrivateJwk(jwe, randomBytes(32), key.kid)).rejects.toThrow();
      await expect(decryptPrivateJwk(jwe, kek, 'other-kid')).rejects.toThrow(/kid/);
    },
  );
});
