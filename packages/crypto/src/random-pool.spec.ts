import { pooledRandomBytes } from './random-pool';

describe('pooledRandomBytes', () => {
  it('hands out each pooled byte once: views never overlap or change after a refill', () => {
    const first = pooledRandomBytes(16);
    const copy = Buffer.from(first);
    // Far more than one pool (4 KiB): forces several refills.
    const many = Array.from({ length: 2_000 }, () => pooledRandomBytes(16));
    expect(first.equals(copy)).toBe(true);
    const distinct = new Set(many.map((b) => b.toString('hex')));
    expect(distinct.size).toBe(many.length);
    expect(many.every((b) => b.length === 16)).toBe(true);
  });

  it('serves large and empty requests, and refuses bad sizes', () => {
    expect(pooledRandomBytes(4096)).toHaveLength(4096);
    expect(pooledRandomBytes(0)).toHaveLength(0);
    expect(() => pooledRandomBytes(-1)).toThrow(RangeError);
    expect(() => pooledRandomBytes(1.5)).toThrow(RangeError);
  });
});
