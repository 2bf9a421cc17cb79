import { createHmac, KeyObject, randomBytes } from 'node:crypto';
import { hmacSha256 } from './keyed-hash';
import { secretKeyObject } from './secret-key-objects';

describe('secretKeyObject', () => {
  it('converts a key Buffer once and hands out the same KeyObject after', () => {
    const key = randomBytes(32);
    const first = secretKeyObject(key);
    expect(first).toBeInstanceOf(KeyObject);
    expect(first.export().equals(key)).toBe(true);
    expect(secretKeyObject(key)).toBe(first);
  });

  it('follows a Buffer changed in place to its new bytes', () => {
    const key = Buffer.alloc(32, 1);
    const before = hmacSha256(key, 'v');
    key.fill(2);
    expect(secretKeyObject(key).export().equals(Buffer.alloc(32, 2))).toBe(true);
    expect(hmacSha256(key, 'v').equals(before)).toBe(false);
    expect(hmacSha256(key, 'v').equals(createHmac('sha256', key).update('v').digest())).toBe(true);
  });

  it('is what the HMACs are keyed with: never the Buffer, whose type check throws inside Node', () => {
    const keys: unknown[] = [];
    jest.isolateModules(() => {
      jest.doMock('node:crypto', () => {
        const actual = jest.requireActual<typeof import('node:crypto')>('node:crypto');
        return {
          ...actual,
          createHmac: (alg: string, key: KeyObject) => (
            keys.push(key),
            actual.createHmac(alg, key)
          ),
        };
      });
      const hashes = jest.requireActual<typeof import('./keyed-hash')>('./keyed-hash');
      const tokens = jest.requireActual<typeof import('./opaque-token')>('./opaque-token');
      const key = randomBytes(32);
      hashes.hmacSha256(key, 'v');
      const token = tokens.mintOpaqueToken('at', key, 'grant-1');
      expect(tokens.verifyOpaqueToken(token, key)).toEqual({ kind: 'at', handle: 'grant-1' });
    });
    jest.dontMock('node:crypto');
    expect(keys).toHaveLength(3);
    for (const key of keys) expect(key).toBeInstanceOf(KeyObject);
  });
});
