import { createHash, createHmac, randomBytes as nodeRandomBytes } from 'node:crypto';
import { sha256, sha256Base64url } from './digest';
import {
  constantTimeEqual,
  constantTimeEqualBytes,
  decodeSecret,
  deriveKey,
  hmacSha256,
  keyedHash,
} from './keyed-hash';
import { fillRandom, randomBase64url, randomBytes, randomUUID } from './random';
import { mintOpaqueToken, verifyOpaqueToken } from './opaque-token';
import { decryptPrivateJwk, encryptPrivateJwk, generateSigningKey } from './signing-keys';

const secret = nodeRandomBytes(32);

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

describe('primitives (the only node:crypto users)', () => {
  it('hashes with SHA-256 as bytes and as base64url', () => {
    const oracle = createHash('sha256').update('héllo', 'utf8').digest();
    expect(sha256('héllo').equals(oracle)).toBe(true);
    expect(sha256(Buffer.from('héllo', 'utf8')).equals(oracle)).toBe(true);
    expect(sha256Base64url('héllo')).toBe(oracle.toString('base64url'));
  });

  it('MACs with HMAC-SHA-256, keyedHash being its base64url', () => {
    const oracle = createHmac('sha256', secret).update('v', 'utf8').digest();
    expect(hmacSha256(secret, 'v').equals(oracle)).toBe(true);
    expect(keyedHash(secret, 'v')).toBe(oracle.toString('base64url'));
  });

  it('compares bytes in constant time; different lengths are unequal', () => {
    expect(constantTimeEqualBytes(Buffer.from([1, 2]), Buffer.from([1, 2]))).toBe(true);
    expect(constantTimeEqualBytes(Buffer.from([1, 2]), Buffer.from([1, 3]))).toBe(false);
    expect(constantTimeEqualBytes(Buffer.from([1, 2]), Buffer.from([1, 2, 3]))).toBe(false);
  });

  it('draws random bytes, base64url strings, UUIDs and fills buffers', () => {
    expect(randomBytes(16)).toHaveLength(16);
    expect(randomBase64url(16)).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(randomBase64url(32)).not.toBe(randomBase64url(32));
    expect(randomUUID()).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    const filled = fillRandom(Buffer.alloc(64));
    expect(filled.equals(Buffer.alloc(64))).toBe(false);
  });
});
