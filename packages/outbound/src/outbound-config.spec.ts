import { loadConfig } from '@idp/config';
import { outboundClientOf, outboundPolicyOf } from './outbound-config';

describe('outbound settings', () => {
  const config = (env: Record<string, string>) => loadConfig({ PORT: '0', ...env });

  it('default: no allow-list; loopback only because the default ISSUER is http://localhost:3000', () => {
    const c = config({});
    expect(c.OUTBOUND_ALLOW).toEqual([]);
    expect(outboundPolicyOf(c).loopback).toBe(true);
    expect(outboundPolicyOf(config({ ISSUER: 'https://idp.example' })).loopback).toBe(false);
  });

  it('reads OUTBOUND_ALLOW as hosts and blocks', () => {
    const policy = outboundPolicyOf(
      config({
        ISSUER: 'https://idp.example',
        OUTBOUND_ALLOW: 'rp.internal, 10.0.0.0/8,*.dev.example',
      }),
    );
    expect([...policy.allow.hosts]).toEqual(['rp.internal']);
    expect(policy.allow.suffixes).toEqual(['.dev.example']);
    expect(policy.allow.blocks.map((b) => b.text)).toEqual(['10.0.0.0/8']);
  });

  it('a malformed entry stops the service that builds its client, naming the setting', () => {
    expect(() => outboundClientOf(config({ OUTBOUND_ALLOW: '10.0.0.0/33' }))).toThrow(
      'OUTBOUND_ALLOW: "10.0.0.0/33" is neither a host name, *.domain, an IP address nor a CIDR block',
    );
  });
});
