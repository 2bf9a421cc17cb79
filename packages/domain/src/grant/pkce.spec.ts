import { isValidCodeChallenge, isValidCodeVerifier, pkceSatisfied, s256Challenge } from './pkce';
import { narrowScope, scopeTokens } from './scope';

// RFC 7636 Appendix B, copied from the RFC. (The brief's copy,
// dBjftJeZ4CVP-mJ92K9Ob4-BSZmr8hFnKnIE3aTxY1A → E9Melhoe2Owv…, has typos
// in both values and is not a valid pair.)
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

describe('PKCE (RFC 7636)', () => {
  it('derives the Appendix B S256 challenge', () => {
    expect(s256Challenge(VERIFIER)).toBe(CHALLENGE);
    expect(pkceSatisfied(CHALLENGE, 'S256', VERIFIER)).toBe(true);
  });

  it('does not accept the mistyped vector', () => {
    expect(pkceSatisfied('E9Melhoe2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', 'S256', VERIFIER)).toBe(
      false,
    );
  });

  it.each([
    ['43 unreserved characters', 'a'.repeat(43), true],
    ['128 characters', '-._~'.repeat(32), true],
    ['42 characters', 'a'.repeat(42), false],
    ['129 characters', 'a'.repeat(129), false],
    ['a "+"', `${'a'.repeat(42)}+`, false],
    ['a "="', `${'a'.repeat(42)}=`, false],
    ['a non-ASCII letter', `${'a'.repeat(42)}é`, false],
  ])('checks verifier syntax (4.1): %s', (_, verifier, ok) => {
    expect(isValidCodeVerifier(verifier)).toBe(ok);
  });

  it('checks challenge syntax by method', () => {
    expect(isValidCodeChallenge(CHALLENGE, 'S256')).toBe(true);
    expect(isValidCodeChallenge(`${CHALLENGE}A`, 'S256')).toBe(false);
    expect(isValidCodeChallenge(VERIFIER.repeat(2), 'plain')).toBe(true);
  });

  it.each([
    ['plain: verifier equals challenge', VERIFIER, 'plain', VERIFIER, true],
    ['plain: anything else', VERIFIER, 'plain', CHALLENGE, false],
    ['no method recorded means plain', VERIFIER, undefined, VERIFIER, true],
    ['S256: the challenge is not a verifier', CHALLENGE, 'S256', CHALLENGE, false],
    ['a challenge without a verifier', CHALLENGE, 'S256', undefined, false],
    ['a verifier without a challenge (downgrade)', undefined, undefined, VERIFIER, false],
    ['neither', undefined, undefined, undefined, true],
  ] as const)('%s', (_, challenge, method, verifier, ok) => {
    expect(pkceSatisfied(challenge, method, verifier)).toBe(ok);
  });
});

describe('scope', () => {
  it('splits on spaces and drops duplicates', () => {
    expect(scopeTokens(' openid  profile openid ')).toEqual(['openid', 'profile']);
    expect(scopeTokens(undefined)).toEqual([]);
  });

  it('narrows to a subset, keeps everything when nothing is asked, refuses more', () => {
    expect(narrowScope('openid profile email', 'email')).toBe('email');
    expect(narrowScope('openid profile', undefined)).toBe('openid profile');
    expect(narrowScope('openid profile', '')).toBe('openid profile');
    expect(narrowScope('openid', 'openid admin')).toBeUndefined();
  });
});
