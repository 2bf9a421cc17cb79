import { clientIp } from './client-ip';

describe('clientIp', () => {
  it('is the socket peer, and ignores X-Forwarded-For, when no proxy is trusted', () => {
    expect(clientIp('10.0.0.9', '203.0.113.7', 0)).toBe('10.0.0.9');
    expect(clientIp('::ffff:10.0.0.9', undefined, 0)).toBe('10.0.0.9');
    expect(clientIp(undefined, undefined, 0)).toBe('unknown');
  });

  it('takes the N-th address from the right with N trusted proxies, so a client cannot pick it', () => {
    // The client wrote 1.1.1.1; our one proxy appended the address it saw.
    expect(clientIp('10.0.0.2', '1.1.1.1, 203.0.113.7', 1)).toBe('203.0.113.7');
    expect(clientIp('10.0.0.2', ['1.1.1.1', '203.0.113.7, 10.0.0.1'], 2)).toBe('203.0.113.7');
  });

  it('falls back to the socket peer for a short or malformed header', () => {
    expect(clientIp('10.0.0.2', '203.0.113.7', 2)).toBe('10.0.0.2');
    expect(clientIp('10.0.0.2', 'not-an-ip', 1)).toBe('10.0.0.2');
  });
});
