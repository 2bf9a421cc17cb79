import { randomBytes } from 'node:crypto';
import { decodeSecret, deriveKey, keyedHash } from './keyed-hash';
import { mintOpaqueToken, verifyOpaqueToken } from './opaque-token';
import { deriveTokenKeys } from './token-keys';

describe('deriveTokenKeys', () => {
  const secret = randomBytes(32).toString('base64url');

  it('derives the purposes token-service has always used, so stored hashes stay valid', () => {
    const raw = decodeSecret(secret);
    const keys = deriveTokenKeys(secret);
    expect(keys.macKey.equals(deriveKey(raw, 'token-mac'))).toBe(true);
    expect(keys.tokenHashKey.equals(deriveKey(raw, 'token-hash'))).toBe(true);
    expect(keys.clientSecretKey.equals(deriveKey(raw, 'client-secret'))).toBe(true);
  });

  it('gives one key per purpose', () => {
    const { macKey, tokenHashKey, clientSecretKey } = deriveTokenKeys(secret);
    expect(
      new Set([macKey, tokenHashKey, clientSecretKey].map((k) => k.toString('hex'))).size,
    ).toBe(3);
    expect(keyedHash(macKey, 'x')).not.toBe(keyedHash(tokenHashKey, 'x'));
  });

  it('a token minted by one holder of the secret verifies at another, and not under another secret', () => {
    const token = mintOpaqueToken('at', deriveTokenKeys(secret).macKey, 'grant-1');
    expect(verifyOpaqueToken(token, deriveTokenKeys(secret).macKey)).toEqual({
      kind: 'at',
      handle: 'grant-1',
    });
    const other = deriveTokenKeys(randomBytes(32).toString('base64url'));
    expect(verifyOpaqueToken(token, other.macKey)).toBeNull();
  });

  it('refuses a secret that is not 32 bytes', () => {
    expect(() => deriveTokenKeys('short')).toThrow(/32 bytes/);
  });
});
