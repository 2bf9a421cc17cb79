import { ConfigError, loadConfig } from './load-config';

const load = (env: Record<string, string>) => loadConfig({ PORT: '1', ...env });

describe('managed infrastructure settings', () => {
  it('are off by default', () => {
    const c = load({});
    expect(c).toMatchObject({ KAFKA_SSL: false, REDIS_SENTINELS: [], REDIS_SENTINEL_TLS: false });
    expect(c.KAFKA_SASL_MECHANISM).toBeUndefined();
    expect(c.DATABASE_SSL).toBeUndefined();
  });

  it('parse a complete Kafka TLS + SCRAM, Redis Sentinel and PostgreSQL verify-full setup', () => {
    const c = load({
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: '/ca.pem',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'idp',
      KAFKA_SASL_PASSWORD: 'pw',
      REDIS_URL: 'rediss://:pw@ignored:6380/2',
      REDIS_SENTINELS: 's1:26379, [::1]:26380',
      REDIS_SENTINEL_MASTER: 'mymaster',
      DATABASE_SSL: 'verify-full',
      DATABASE_SSL_CA_FILE: '/rds.pem',
    });
    expect(c).toMatchObject({
      KAFKA_SSL: true,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      REDIS_SENTINELS: ['s1:26379', '[::1]:26380'],
      DATABASE_SSL: 'verify-full',
    });
  });

  it.each([
    [
      { KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'u' },
      /needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD/,
    ],
    [{ KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }, /set KAFKA_SASL_MECHANISM too/],
    [
      { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' },
      /plain sends the password in clear/,
    ],
    [{ KAFKA_SASL_MECHANISM: 'gssapi' }, /KAFKA_SASL_MECHANISM/],
    [{ KAFKA_SSL_CA_FILE: '/ca' }, /KAFKA_SSL_CA_FILE: needs KAFKA_SSL=true/],
    [{ KAFKA_SSL: 'yes' }, /KAFKA_SSL/],
    [{ REDIS_SENTINELS: 'a:1' }, /needs REDIS_SENTINEL_MASTER/],
    [{ REDIS_SENTINELS: 'a, b:x', REDIS_SENTINEL_MASTER: 'm' }, /not host:port: a, b:x/],
    [{ REDIS_SENTINEL_MASTER: 'm' }, /set REDIS_SENTINELS too/],
    [{ REDIS_TLS_CA_FILE: '/ca' }, /TLS is off; use a rediss:\/\/ REDIS_URL/],
    [
      { DATABASE_SSL: 'require', DATABASE_URL: 'postgres://db/idp?sslmode=disable' },
      /DATABASE_URL has an sslmode too/,
    ],
    [
      { DATABASE_SSL: 'require', DATABASE_SSL_CA_FILE: '/ca' },
      /needs DATABASE_SSL=verify-ca or verify-full/,
    ],
    [{ DATABASE_SSL: 'prefer' }, /DATABASE_SSL/],
  ])('refuses a half-configured connection: %o', (env, message) => {
    expect(() => load(env as Record<string, string>)).toThrow(ConfigError);
    expect(() => load(env as Record<string, string>)).toThrow(message);
  });

  it('accepts plain SASL over TLS and a CA file for TLS to the sentinels only', () => {
    expect(() =>
      load({
        KAFKA_SSL: 'true',
        KAFKA_SASL_MECHANISM: 'plain',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: 'p',
      }),
    ).not.toThrow();
    expect(() =>
      load({
        REDIS_SENTINELS: 'a:1',
        REDIS_SENTINEL_MASTER: 'm',
        REDIS_SENTINEL_TLS: 'true',
        REDIS_TLS_CA_FILE: '/ca',
      }),
    ).not.toThrow();
  });
});
