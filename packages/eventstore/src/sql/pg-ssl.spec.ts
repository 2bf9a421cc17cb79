import { pgSslConfig } from './pg-ssl';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const files = (map: Record<string, string>) => (p: string) => {
  if (p in map) return map[p]!;
  throw new Error(`ENOENT: ${p}`);
};

describe('pgSslConfig (DATABASE_SSL for node-postgres)', () => {
  it('disable: no TLS', () => {
    expect(pgSslConfig('disable')).toBe(false);
  });

  it('require: encrypted, not verified (libpq semantics)', () => {
    expect(pgSslConfig('require')).toEqual({ rejectUnauthorized: false });
  });

  it('verify-ca: chain checked against the CA file, host name not', () => {
    const ssl = pgSslConfig('verify-ca', '/ca.pem', files({ '/ca.pem': PEM }));
    expect(ssl).toMatchObject({ ca: PEM, rejectUnauthorized: true });
    expect(ssl && ssl.checkServerIdentity?.()).toBeUndefined();
    expect(ssl).toHaveProperty('checkServerIdentity');
  });

  it('verify-full: chain and host name checked (Node default identity check)', () => {
    expect(pgSslConfig('verify-full', '/ca.pem', files({ '/ca.pem': PEM }))).toEqual({
      ca: PEM,
      rejectUnauthorized: true,
    });
    expect(pgSslConfig('verify-full')).toEqual({ rejectUnauthorized: true });
  });

  it('fails at boot on an unreadable or non-PEM CA file', () => {
    expect(() => pgSslConfig('verify-full', '/nope', files({}))).toThrow(
      /cannot read the PostgreSQL CA file \/nope/,
    );
    expect(() => pgSslConfig('verify-ca', '/x', files({ '/x': 'junk' }))).toThrow(/no PEM/);
  });
});
