import { loadConfig } from '@idp/config';
import { registry } from '../metrics/metrics';
import { EndpointRateLimits } from './endpoint-rate-limits';

const refusals = async (endpoint: string) =>
  (await registry.getSingleMetric('idp_abuse_refusals_total')!.get()).values.find(
    (v) => v.labels['control'] === 'rate_limited' && v.labels['endpoint'] === endpoint,
  )?.value ?? 0;

describe('EndpointRateLimits', () => {
  it('counts each 429 under rate_limited and its endpoint, and nothing it let through', async () => {
    const limits = new EndpointRateLimits(
      loadConfig({
        PORT: '0',
        RATE_LIMIT_INTROSPECT: '1',
        RATE_LIMIT_TOKEN: '0',
        RATE_LIMIT_BURST_SECONDS: '1',
      }),
    );
    const before = { introspect: await refusals('introspect'), token: await refusals('token') };
    limits.check('introspect', 'ip', '10.0.0.1'); // within the burst
    expect(() => limits.check('introspect', 'ip', '10.0.0.1')).toThrow(
      expect.objectContaining({ status: 429 }),
    );
    expect(() => limits.check('introspect', 'ip', '10.0.0.1')).toThrow();
    for (let i = 0; i < 5; i++) limits.check('token', 'ip', '10.0.0.1'); // off: never refused
    expect({
      introspect: (await refusals('introspect')) - before.introspect,
      token: (await refusals('token')) - before.token,
    }).toEqual({ introspect: 2, token: 0 });
  });
});
