import { loadConfig } from '@idp/config';
import { kafkaSecurity, postgresTarget, redisConnection } from './infra-connections';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const secrets = (map: Record<string, string>) => (p: string) => {
  if (p in map) return map[p]!;
  throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
};

describe('connection options from the configuration', () => {
  it('default: plaintext everywhere, the URLs as given', () => {
    const c = loadConfig({ PORT: '1' });
    expect(kafkaSecurity(c)).toEqual({ tls: false });
    expect(redisConnection(c)).toEqual({ url: 'redis://127.0.0.1:6379', security: {} });
    expect(postgresTarget(c)).toEqual({
      driver: 'postgres',
      url: 'postgres://postgres@127.0.0.1:5432/idp',
      schema: 'public',
    });
  });

  it('a managed setup, secrets from files: Kafka TLS + SCRAM, Redis Sentinel + TLS, PG verify-full', () => {
    const c = loadConfig(
      {
        PORT: '1',
        KAFKA_SSL: 'true',
        KAFKA_SSL_CA_FILE: '/kafka-ca.pem',
        KAFKA_SASL_MECHANISM: 'scram-sha-256',
        KAFKA_SASL_USERNAME: 'idp',
        KAFKA_SASL_PASSWORD_FILE: '/run/secrets/kafka',
        REDIS_URL_FILE: '/run/secrets/redis-url',
        REDIS_TLS_CA_FILE: '/redis-ca.pem',
        REDIS_SENTINELS: 's1:26379,s2:26379',
        REDIS_SENTINEL_MASTER: 'idp',
        REDIS_SENTINEL_PASSWORD_FILE: '/run/secrets/sentinel',
        DATABASE_URL_FILE: '/run/secrets/db-url',
        DATABASE_SSL: 'verify-full',
        DATABASE_SSL_CA_FILE: '/db-ca.pem',
      },
      {},
      secrets({
        '/run/secrets/kafka': 'kafka-pw\n',
        '/run/secrets/redis-url': 'rediss://:redis-pw@ignored:6380/1\n',
        '/run/secrets/sentinel': 'sentinel-pw\n',
        '/run/secrets/db-url': 'postgres://idp:db-pw@db.example.com:5432/idp\n',
      }),
    );
    expect(kafkaSecurity(c)).toEqual({
      tls: true,
      caFile: '/kafka-ca.pem',
      sasl: { mechanism: 'scram-sha-256', username: 'idp', password: 'kafka-pw' },
    });
    expect(redisConnection(c)).toEqual({
      url: 'rediss://:redis-pw@ignored:6380/1',
      security: {
        tlsCaFile: '/redis-ca.pem',
        sentinel: {
          sentinels: ['s1:26379', 's2:26379'],
          masterName: 'idp',
          password: 'sentinel-pw',
          tls: false,
        },
      },
    });
    expect(postgresTarget(c, secrets({ '/db-ca.pem': PEM }))).toEqual({
      driver: 'postgres',
      url: 'postgres://idp:db-pw@db.example.com:5432/idp',
      schema: 'public',
      ssl: { ca: PEM, rejectUnauthorized: true },
    });
  });
});
