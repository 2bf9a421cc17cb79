import { Kafka } from 'kafkajs';
import { kafkaSecurityConfig } from './kafka-security';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const files = (map: Record<string, string>) => (p: string) => {
  if (p in map) return map[p]!;
  throw new Error(`ENOENT: ${p}`);
};

describe('kafkaSecurityConfig (kafkajs ssl/sasl)', () => {
  it('sets nothing by default: plaintext, no SASL', () => {
    expect(kafkaSecurityConfig({})).toEqual({});
    expect(kafkaSecurityConfig({ tls: false })).toEqual({});
  });

  it('turns TLS on with the system CAs, never without verification', () => {
    expect(kafkaSecurityConfig({ tls: true })).toEqual({ ssl: true });
  });

  it('pins the CA from the file', () => {
    const out = kafkaSecurityConfig({ tls: true, caFile: '/ca.pem' }, files({ '/ca.pem': PEM }));
    expect(out.ssl).toEqual({ ca: [PEM] });
    expect(out.ssl).not.toHaveProperty('rejectUnauthorized');
  });

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'] as const)('passes SASL %s', (mechanism) => {
    expect(
      kafkaSecurityConfig({ tls: true, sasl: { mechanism, username: 'idp', password: 'pw' } }),
    ).toEqual({ ssl: true, sasl: { mechanism, username: 'idp', password: 'pw' } });
  });

  it('fails at boot, naming the path, on a missing or non-PEM CA file', () => {
    expect(() => kafkaSecurityConfig({ tls: true, caFile: '/nope' }, files({}))).toThrow(
      /cannot read the Kafka CA file \/nope/,
    );
    expect(() =>
      kafkaSecurityConfig({ tls: true, caFile: '/x' }, files({ '/x': 'not a cert' })),
    ).toThrow(/holds no PEM certificate/);
  });

  it('is accepted by kafkajs as client options', () => {
    const security = kafkaSecurityConfig({
      tls: true,
      sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' },
    });
    expect(() => new Kafka({ brokers: ['127.0.0.1:1'], clientId: 't', ...security })).not.toThrow();
  });
});
