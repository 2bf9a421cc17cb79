import { DpopNonces } from './dpop-nonce';

const key = Buffer.alloc(32, 1);

describe('DpopNonces', () => {
  it('accepts the current and the previous window only', () => {
    const nonces = new DpopNonces(key, 300);
    const t = 1_800_000_100;
    const n = nonces.current(t);
    expect(nonces.accepts(n, t)).toBe(true);
    expect(nonces.accepts(n, t + 300)).toBe(true);
    expect(nonces.accepts(n, t + 600)).toBe(false);
    expect(nonces.current(t + 300)).not.toBe(n);
  });

  it('is the same on every replica with the same key, and differs with another key', () => {
    const t = 1_800_000_000;
    expect(new DpopNonces(key, 300).current(t)).toBe(new DpopNonces(key, 300).current(t));
    expect(
      new DpopNonces(Buffer.alloc(32, 2), 300).accepts(new DpopNonces(key, 300).current(t), t),
    ).toBe(false);
  });

  it('refuses a missing or made-up nonce', () => {
    const nonces = new DpopNonces(key, 300);
    expect(nonces.accepts(undefined, 1_800_000_000)).toBe(false);
    expect(nonces.accepts('made-up', 1_800_000_000)).toBe(false);
  });
});
