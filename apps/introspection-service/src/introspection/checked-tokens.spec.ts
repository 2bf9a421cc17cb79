import { CheckedTokens } from './checked-tokens';

describe('CheckedTokens', () => {
  it('remembers what a check found, by the exact token', () => {
    const checked = new CheckedTokens<number>(10);
    checked.remember('a.b.c', 1);
    expect(checked.get('a.b.c')).toBe(1);
    expect(checked.get('a.b.C')).toBeUndefined();
    checked.forget('a.b.c');
    expect(checked.get('a.b.c')).toBeUndefined();
  });

  it('holds at most max tokens; the oldest goes first', () => {
    const checked = new CheckedTokens<number>(3);
    for (const [i, t] of ['t1', 't2', 't3', 't4'].entries()) checked.remember(t, i);
    expect(checked.size).toBe(3);
    expect(checked.get('t1')).toBeUndefined();
    expect([checked.get('t2'), checked.get('t3'), checked.get('t4')]).toEqual([1, 2, 3]);
    // Remembering a token it holds evicts nothing.
    checked.remember('t4', 9);
    expect(checked.size).toBe(3);
    expect(checked.get('t2')).toBe(1);
    checked.clear();
    expect(checked.size).toBe(0);
  });

  it('with max 0 remembers nothing; refuses a bound that is not a count', () => {
    const none = new CheckedTokens<number>(0);
    none.remember('t', 1);
    expect(none.get('t')).toBeUndefined();
    expect(none.size).toBe(0);
    expect(() => new CheckedTokens<number>(-1)).toThrow(RangeError);
    expect(() => new CheckedTokens<number>(1.5)).toThrow(RangeError);
  });
});
