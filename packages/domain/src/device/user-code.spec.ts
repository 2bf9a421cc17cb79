import {
  formatUserCode,
  normaliseUserCode,
  USER_CODE_ALPHABET,
  userCodeFromBytes,
} from './user-code';

describe('user codes (RFC 8628 6.1)', () => {
  it('uses 20 consonants: no vowels, no digits, no look-alikes', () => {
    expect(USER_CODE_ALPHABET).toHaveLength(20);
    expect(new Set(USER_CODE_ALPHABET).size).toBe(20);
    expect(USER_CODE_ALPHABET).not.toMatch(/[AEIOUY0-9]/);
  });

  it('maps random bytes to 8 letters of the alphabet, skipping biased bytes', () => {
    const bytes = Uint8Array.from([0, 1, 19, 20, 255, 240, 239, 39, 100, 5]);
    // 255 and 240 are above the last multiple of 20 (240) and are skipped.
    expect(userCodeFromBytes(bytes)).toBe('BCZBZZBH');
    expect(userCodeFromBytes(Uint8Array.from([250, 251, 1]))).toBeUndefined();
  });

  it('draws every letter equally often over all byte values', () => {
    const counts = new Map<string, number>();
    for (let b = 0; b < 256; b += 1) {
      const code = userCodeFromBytes(Uint8Array.from([b]), 1);
      if (code !== undefined) counts.set(code, (counts.get(code) ?? 0) + 1);
    }
    expect(counts.size).toBe(20);
    expect(new Set(counts.values())).toEqual(new Set([12]));
  });

  it('shows the code as XXXX-XXXX', () => {
    expect(formatUserCode('BCDFGHJK')).toBe('BCDF-GHJK');
  });

  it('reads what the user typed case-, dash- and space-insensitively', () => {
    for (const typed of ['BCDF-GHJK', 'bcdfghjk', 'bcdf ghjk', ' Bcdf-Ghjk ', 'BC-DF-GH-JK'])
      expect(normaliseUserCode(typed)).toBe('BCDFGHJK');
  });

  it('refuses what cannot be a code: other letters, digits, wrong length, huge input', () => {
    for (const typed of [
      'BCDF-GHJA',
      'BCDF-GHJ0',
      'BCDF-GHJ',
      'BCDF-GHJKL',
      '',
      'x'.repeat(10_000),
    ])
      expect(normaliseUserCode(typed)).toBeUndefined();
  });
});
