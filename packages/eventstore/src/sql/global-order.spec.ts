import { decodePosition, encodePosition, transactionOrder } from './global-order';

describe('public positions on PostgreSQL (ADR 0024)', () => {
  it('keep the old number for rows written before the upgrade (tx = 0)', () => {
    expect(encodePosition('0', '42')).toBe('42');
    expect(decodePosition('42')).toEqual({ tx: '0', seq: '42' });
  });

  it('order like (tx, position), whatever the identity of each', () => {
    const pairs: [string, string][] = [
      ['0', '999999999999999'],
      ['7', '1'],
      ['7', '900'],
      ['8', '2'],
      ['18446744073709551615', '999999999999999'],
    ];
    const positions = pairs.map(([tx, seq]) => BigInt(encodePosition(tx, seq)));
    positions.slice(1).forEach((p, i) => expect(p > positions[i]!).toBe(true));
    pairs.forEach(([tx, seq], i) =>
      expect(decodePosition(positions[i]!.toString())).toEqual({ tx, seq }),
    );
  });

  it('refuses a position whose transaction id cannot exist', () => {
    const beyond = (2n ** 64n * 10n ** 15n).toString();
    expect(() => transactionOrder.pageAfter(beyond, 10)).toThrow(RangeError);
  });
});
