import { loadConfig } from './load-config';

const base = { PORT: '0' };

describe('DPoP settings', () => {
  it('default to asymmetric algs, no nonces, 60 s proofs', () => {
    const config = loadConfig(base);
    expect(config.DPOP_SIGNING_ALGS).toEqual(['ES256', 'EdDSA', 'RS256', 'PS256']);
    expect(config.DPOP_NONCE).toBe(false);
    expect(config.DPOP_PROOF_MAX_AGE).toBe(60);
  });

  it('refuse none, HMAC and unknown algs', () => {
    for (const algs of ['none', 'HS256', 'ES256,HS512', 'RS1', ',']) {
      expect(() => loadConfig({ ...base, DPOP_SIGNING_ALGS: algs })).toThrow(/DPOP_SIGNING_ALGS/);
    }
    expect(loadConfig({ ...base, DPOP_SIGNING_ALGS: ' ES384 , EdDSA' }).DPOP_SIGNING_ALGS).toEqual([
      'ES384',
      'EdDSA',
    ]);
  });

  it('take the certificate header only with the proxies it is believed from', () => {
    expect(() => loadConfig({ ...base, MTLS_CLIENT_CERT_HEADER: 'X-Client-Cert' })).toThrow(
      /MTLS_TRUSTED_PROXIES/,
    );
    const config = loadConfig({
      ...base,
      MTLS_CLIENT_CERT_HEADER: 'X-Client-Cert',
      MTLS_TRUSTED_PROXIES: '10.0.0.7, ::1',
    });
    expect(config.MTLS_CLIENT_CERT_HEADER).toBe('x-client-cert');
    expect(config.MTLS_TRUSTED_PROXIES).toEqual(['10.0.0.7', '::1']);
    expect(() => loadConfig({ ...base, MTLS_TRUSTED_PROXIES: '10.0.0.0/8' })).toThrow(
      /MTLS_TRUSTED_PROXIES/,
    );
  });
});
