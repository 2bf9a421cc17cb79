import type { ClientAuthentication } from '@idp/contracts';
import { CallerCache } from './caller-cache';

const basic: ClientAuthentication = {
  method: 'client_secret_basic',
  clientId: 'rs',
  secret: 'a-long-enough-secret',
};

function clock(start = 1_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe('CallerCache', () => {
  it('remembers an authenticated caller for its TTL, then asks again', async () => {
    const time = clock();
    const cache = new CallerCache(60_000, time.now);
    const authenticate = jest.fn(async () => 'rs');
    expect(await cache.clientId(basic, authenticate)).toBe('rs');
    expect(await cache.clientId(basic, authenticate)).toBe('rs');
    expect(authenticate).toHaveBeenCalledTimes(1);
    time.advance(60_000);
    await cache.clientId(basic, authenticate);
    expect(authenticate).toHaveBeenCalledTimes(2);
  });

  it('keys by the whole credential: another secret or method is authenticated anew', async () => {
    const cache = new CallerCache(60_000);
    const authenticate = jest.fn(async () => 'rs');
    await cache.clientId(basic, authenticate);
    await cache.clientId({ ...basic, secret: 'another-long-secret' }, authenticate);
    await cache.clientId({ ...basic, method: 'client_secret_post' }, authenticate);
    expect(authenticate).toHaveBeenCalledTimes(3);
  });

  it('never mistakes one split of id and secret for another', async () => {
    const cache = new CallerCache(60_000);
    const authenticate = jest.fn(async () => 'x');
    await cache.clientId({ ...basic, clientId: 'a:1', secret: 'b' }, authenticate);
    await cache.clientId({ ...basic, clientId: 'a', secret: '1:b' }, authenticate);
    await cache.clientId({ ...basic, clientId: 'a:1:b', secret: '' }, authenticate);
    expect(authenticate).toHaveBeenCalledTimes(3);
  });

  it('never holds the secret in clear', async () => {
    const cache = new CallerCache(60_000);
    await cache.clientId(basic, async () => 'rs');
    const keys = [...(cache as unknown as { entries: Map<string, unknown> }).entries.keys()];
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toContain(basic.secret);
    // A salted SHA-256 digest and nothing else: no room for the id or the secret in clear.
    // (A substring check for the 2-letter id failed by chance once in ~100 random salts.)
    expect(keys[0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('never caches client assertions (single use) or failures', async () => {
    const cache = new CallerCache(60_000);
    for (const method of ['private_key_jwt', 'client_secret_jwt'] as const) {
      const jwt: ClientAuthentication = { method, assertion: 'a.b.c' };
      const authenticate = jest.fn(async () => 'rs');
      await cache.clientId(jwt, authenticate);
      await cache.clientId(jwt, authenticate);
      expect(authenticate).toHaveBeenCalledTimes(2);
      expect(cache.size).toBe(0);
    }

    const failing = jest.fn(async (): Promise<string> => {
      throw new Error('invalid_client');
    });
    await expect(cache.clientId(basic, failing)).rejects.toThrow('invalid_client');
    await expect(cache.clientId(basic, failing)).rejects.toThrow('invalid_client');
    expect(failing).toHaveBeenCalledTimes(2);
    expect(cache.size).toBe(0);
  });

  it('shares one authentication between concurrent requests', async () => {
    const cache = new CallerCache(60_000);
    const authenticate = jest.fn(async () => 'rs');
    await Promise.all(Array.from({ length: 50 }, () => cache.clientId(basic, authenticate)));
    expect(authenticate).toHaveBeenCalledTimes(1);
  });

  it('clear() forgets everyone, including an authentication still in flight', async () => {
    const cache = new CallerCache(60_000);
    let finish!: (id: string) => void;
    const slow = cache.clientId(basic, () => new Promise<string>((r) => (finish = r)));
    cache.clear();
    finish('rs');
    await slow;
    const authenticate = jest.fn(async () => 'rs');
    await cache.clientId(basic, authenticate);
    expect(authenticate).toHaveBeenCalledTimes(1);
    cache.clear();
    await cache.clientId(basic, authenticate);
    expect(authenticate).toHaveBeenCalledTimes(2);
  });
});
