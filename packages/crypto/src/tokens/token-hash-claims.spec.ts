import { createHash } from 'node:crypto';
import { halfHash } from './token-hash-claims';

/** Independent reference: the spec's words, spelled out with node:crypto. */
function reference(value: string, hash: string, outputLength?: number): string {
  const digest = createHash(hash, outputLength ? { outputLength } : undefined)
    .update(Buffer.from(value, 'ascii'))
    .digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

describe('halfHash (at_hash / c_hash / s_hash)', () => {
  it('matches the OpenID Connect Core examples (A.3 at_hash, A.4 c_hash)', () => {
    expect(halfHash('jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y', 'RS256')).toBe(
      '77QmUPtjPfzWtF2AnpK9RQ',
    );
    expect(halfHash('Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk', 'RS256')).toBe(
      'LDktKdoQak3Pk0cnXxCltA',
    );
  });

  it('matches the s_hash of the Core example state (FAPI uses the same rule)', () => {
    expect(halfHash('af0ifjsldkj', 'PS256')).toBe('bOhtX8F73IMjSPeVAqxyTQ');
  });

  it.each([
    ['RS256', 'sha256', 22],
    ['PS256', 'sha256', 22],
    ['ES256', 'sha256', 22],
    ['RS384', 'sha384', 32],
    ['PS384', 'sha384', 32],
    ['ES384', 'sha384', 32],
    ['RS512', 'sha512', 43],
    ['PS512', 'sha512', 43],
    ['ES512', 'sha512', 43],
    ['EdDSA', 'sha512', 43],
    ['Ed25519', 'sha512', 43],
  ])('%s uses %s and keeps the left half (%i chars)', (alg, hash, length) => {
    const value = 'dNZX1hEZ9wBCzNL40Upu646bdzQA';
    const h = halfHash(value, alg);
    expect(h).toBe(reference(value, hash));
    expect(h).toHaveLength(length);
  });

  it('agrees with published vectors for the same token under 256/384/512 and EdDSA', () => {
    const token = 'dNZX1hEZ9wBCzNL40Upu646bdzQA';
    expect(halfHash(token, 'ES256')).toBe('wfgvmE9VxjAudsl9lc6TqA');
    expect(halfHash(token, 'RS384')).toBe('phZaPQJosyg-qi-OIYyQ3xJB9wsHYEEz');
    expect(halfHash(token, 'EdDSA')).toBe('8xltSlOGYrWy8W9yNvRlEth1i_bXW-JROWPLvCv5zog');
  });

  it('picks the hash of the EdDSA curve: SHA-512 for Ed25519, SHAKE256/114 for Ed448', () => {
    expect(halfHash('abc', 'EdDSA', 'Ed25519')).toBe(reference('abc', 'sha512'));
    expect(halfHash('abc', 'EdDSA', 'Ed448')).toBe(reference('abc', 'shake256', 114));
    expect(halfHash('abc', 'Ed448')).toHaveLength(76); // 57 bytes
    expect(() => halfHash('abc', 'EdDSA', 'X25519')).toThrow(/curve/);
  });

  it.each(['none', 'HS256', 'HS512', 'RSA-OAEP-256', ''])('refuses alg %p', (alg) => {
    expect(() => halfHash('abc', alg)).toThrow(/unsupported alg/);
  });

  it('refuses an empty value (there is nothing to bind)', () => {
    expect(() => halfHash('', 'RS256')).toThrow(/non-empty/);
  });
});
