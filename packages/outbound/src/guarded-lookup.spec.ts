import type { LookupAddress } from 'node:dns';
import { outboundPolicy } from '@idp/domain';
import { guardedLookup, type ResolvedAddress } from './guarded-lookup';

const policy = outboundPolicy({ allow: [], issuer: 'https://idp.example' });
const PUBLIC: ResolvedAddress[] = [{ address: '93.184.216.34', family: 4 }];

function lookupOf(resolve: (host: string) => Promise<readonly ResolvedAddress[]>) {
  let now = 1_000;
  const lookup = guardedLookup({ policy, resolve, cacheMs: 10_000, now: () => now });
  const addressOf = (host: string) =>
    new Promise<string>((ok, fail) =>
      lookup(host, {}, (err: Error | null, address: string | LookupAddress[]) =>
        err ? fail(err) : ok(String(address)),
      ),
    );
  return { addressOf, advance: (ms: number) => (now += ms) };
}

describe('guardedLookup cache', () => {
  it('shares one resolution between concurrent lookups and reuses it for cacheMs', async () => {
    const resolve = jest.fn(async () => PUBLIC);
    const { addressOf, advance } = lookupOf(resolve);
    await Promise.all([addressOf('rp.test'), addressOf('rp.test'), addressOf('rp.test')]);
    expect(resolve).toHaveBeenCalledTimes(1);
    advance(10_001);
    expect(await addressOf('rp.test')).toBe('93.184.216.34');
    expect(resolve).toHaveBeenCalledTimes(2);
  });

  it('serves the last answer when the resolver fails after it expired (RFC 8767)', async () => {
    const resolve = jest
      .fn<Promise<readonly ResolvedAddress[]>, [string]>()
      .mockResolvedValueOnce(PUBLIC)
      .mockRejectedValue(Object.assign(new Error('queryA ESERVFAIL'), { code: 'ESERVFAIL' }));
    const { addressOf, advance } = lookupOf(resolve);
    expect(await addressOf('rp.test')).toBe('93.184.216.34');
    advance(10_001);
    expect(await addressOf('rp.test')).toBe('93.184.216.34');
    expect(resolve).toHaveBeenCalledTimes(2);
  });

  it('fails with the resolver error when there is no earlier answer, and keeps no failure', async () => {
    const resolve = jest
      .fn<Promise<readonly ResolvedAddress[]>, [string]>()
      .mockRejectedValueOnce(Object.assign(new Error('queryA ENOTFOUND'), { code: 'ENOTFOUND' }))
      .mockResolvedValue(PUBLIC);
    const { addressOf } = lookupOf(resolve);
    await expect(addressOf('rp.test')).rejects.toMatchObject({
      reason: 'network',
      message: 'ENOTFOUND',
    });
    expect(await addressOf('rp.test')).toBe('93.184.216.34');
  });

  it('re-checks a stale answer against the policy like a fresh one', async () => {
    const resolve = jest
      .fn<Promise<readonly ResolvedAddress[]>, [string]>()
      .mockResolvedValue([{ address: '127.0.0.2', family: 4 }]);
    const { addressOf } = lookupOf(resolve);
    await expect(addressOf('rp.test')).rejects.toMatchObject({ reason: 'refused' });
    await expect(addressOf('rp.test')).rejects.toMatchObject({ reason: 'refused' });
    expect(resolve).toHaveBeenCalledTimes(1);
  });
});
