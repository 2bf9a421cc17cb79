import { FoldedStates } from './folded-states';

const deciderA = {};
const deciderB = {};

describe('FoldedStates', () => {
  it('keeps a state per stream and decider', () => {
    const folded = new FoldedStates(10);
    folded.keep(deciderA, 's1', { n: 1 }, 1);
    expect(folded.get(deciderA, 's1')).toEqual({ state: { n: 1 }, version: 1 });
    expect(folded.get(deciderB, 's1')).toBeUndefined();
    expect(folded.get(deciderA, 's2')).toBeUndefined();
  });

  it('never goes back to an older version', () => {
    const folded = new FoldedStates(10);
    folded.keep(deciderA, 's1', { n: 3 }, 3);
    folded.keep(deciderA, 's1', { n: 2 }, 2);
    expect(folded.get(deciderA, 's1')).toEqual({ state: { n: 3 }, version: 3 });
    folded.keep(deciderA, 's1', { n: 4 }, 4);
    expect(folded.get(deciderA, 's1')?.version).toBe(4);
  });

  it('keeps nothing for an empty stream, or when sized 0', () => {
    const folded = new FoldedStates(10);
    folded.keep(deciderA, 's1', {}, 0);
    expect(folded.size).toBe(0);
    const none = new FoldedStates(0);
    none.keep(deciderA, 's1', {}, 1);
    expect(none.get(deciderA, 's1')).toBeUndefined();
    expect(() => new FoldedStates(-1)).toThrow(RangeError);
  });

  it('is bounded: the least recently kept stream goes first', () => {
    const folded = new FoldedStates(2);
    folded.keep(deciderA, 's1', {}, 1);
    folded.keep(deciderA, 's2', {}, 1);
    folded.keep(deciderA, 's1', {}, 2); // s1 kept again: now the most recent
    folded.keep(deciderA, 's3', {}, 1);
    expect(folded.size).toBe(2);
    expect(folded.get(deciderA, 's2')).toBeUndefined();
    expect(folded.get(deciderA, 's1')?.version).toBe(2);
    folded.forget('s1');
    expect(folded.get(deciderA, 's1')).toBeUndefined();
  });
});
