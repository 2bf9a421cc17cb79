import {
  hostProblem,
  outboundPolicy,
  resolvedAddressProblem,
  uriHostProblem,
} from './outbound-policy';

describe('outbound policy', () => {
  const production = outboundPolicy({ allow: [], issuer: 'https://idp.example' });

  it('refuses the issue #13 examples for a production issuer, naming what they are', () => {
    expect(uriHostProblem(production, 'https://169.254.169.254/latest/meta-data')).toBe(
      '169.254.169.254 is a link-local address (169.254.0.0/16)',
    );
    expect(uriHostProblem(production, 'http://127.0.0.1:6379/')).toBe(
      '127.0.0.1 is a loopback address (127.0.0.0/8)',
    );
    expect(uriHostProblem(production, 'https://kubernetes.default.svc/api')).toBe(
      'kubernetes.default.svc is a cluster-internal service name (*.svc)',
    );
  });

  it.each([
    'http://localhost:4000/',
    'http://app.localhost/',
    'http://localhost./',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://0x7f.1/', // WHATWG URL parsing makes it 127.0.0.1
    'http://2130706433/', // 127.0.0.1 as one number
    'http://0.0.0.0:8080/',
    'http://[::]/',
    'https://10.0.0.5/',
    'https://172.16.0.1/',
    'https://192.168.1.1/',
    'https://100.64.0.1/',
    'https://[fd00::1]/',
    'https://[fe80::1]/',
    'https://224.0.0.1/',
    'https://255.255.255.255/',
    'https://metadata.google.internal/computeMetadata/v1/',
    'https://printer.local/',
    'https://api.default.svc.cluster.local/',
    'https://router.home.arpa/',
    'https://redis/',
    'https://[::ffff:a9fe:a9fe]/',
  ])('refuses %s for a production issuer', (uri) => {
    expect(uriHostProblem(production, uri)).toEqual(expect.any(String));
  });

  it.each(['https://rp.example/bcl', 'https://93.184.216.34/', 'https://[2606:4700:4700::1111]/'])(
    'allows the public %s',
    (uri) => expect(uriHostProblem(production, uri)).toBeUndefined(),
  );

  it('allows loopback when the issuer is on loopback, and nothing more', () => {
    for (const issuer of ['http://127.0.0.1:3000', 'http://localhost:3000', 'http://[::1]:3000']) {
      const local = outboundPolicy({ allow: [], issuer });
      expect(local.loopback).toBe(true);
      expect(uriHostProblem(local, 'http://127.0.0.1:6379/')).toBeUndefined();
      expect(uriHostProblem(local, 'http://localhost:4000/')).toBeUndefined();
      expect(uriHostProblem(local, 'http://[::1]:4000/')).toBeUndefined();
      expect(uriHostProblem(local, 'http://0.0.0.0:4000/')).toMatch(/unspecified/);
      expect(uriHostProblem(local, 'https://169.254.169.254/')).toMatch(/link-local/);
      expect(uriHostProblem(local, 'https://kubernetes.default.svc/')).toMatch(/\*\.svc/);
    }
    expect(outboundPolicy({ allow: [], issuer: 'https://idp.example' }).loopback).toBe(false);
    expect(outboundPolicy({ allow: [], issuer: 'https://127.example' }).loopback).toBe(false);
  });

  it('allows what OUTBOUND_ALLOW names, and only that', () => {
    const dev = outboundPolicy({
      allow: ['127.0.0.1', '10.0.0.0/8', 'rp.internal'],
      issuer: 'https://idp.example',
    });
    expect(hostProblem(dev, '127.0.0.1')).toBeUndefined();
    expect(hostProblem(dev, '127.0.0.2')).toMatch(/loopback/);
    expect(hostProblem(dev, 'localhost')).toMatch(/loopback name/);
    expect(hostProblem(dev, '10.9.9.9')).toBeUndefined();
    expect(hostProblem(dev, 'rp.internal')).toBeUndefined();
    expect(hostProblem(dev, 'other.internal')).toMatch(/private-use name/);
  });

  it('checks resolved addresses by the same rules; an allow-listed name may resolve anywhere', () => {
    const dev = outboundPolicy({
      allow: ['rp.internal', '10.1.0.0/16'],
      issuer: 'https://idp.example',
    });
    expect(resolvedAddressProblem(dev, 'rp.example', '93.184.216.34')).toBeUndefined();
    expect(resolvedAddressProblem(dev, 'rp.example', '169.254.169.254')).toBe(
      'rp.example resolves to 169.254.169.254, a link-local address (169.254.0.0/16)',
    );
    expect(resolvedAddressProblem(dev, 'rp.example', '::ffff:127.0.0.1')).toMatch(/loopback/);
    expect(resolvedAddressProblem(dev, 'rp.example', '10.1.2.3')).toBeUndefined();
    expect(resolvedAddressProblem(dev, 'rp.internal', '192.168.0.9')).toBeUndefined();
    expect(resolvedAddressProblem(dev, 'rp.example', 'garbage')).toMatch(/not an IP address/);
  });
});
