import type { Config } from './defaults';

type InfraConfig = Pick<
  Config,
  | 'KAFKA_SSL'
  | 'KAFKA_SSL_CA_FILE'
  | 'KAFKA_SASL_MECHANISM'
  | 'KAFKA_SASL_USERNAME'
  | 'KAFKA_SASL_PASSWORD'
  | 'REDIS_URL'
  | 'REDIS_TLS_CA_FILE'
  | 'REDIS_SENTINELS'
  | 'REDIS_SENTINEL_MASTER'
  | 'REDIS_SENTINEL_PASSWORD'
  | 'REDIS_SENTINEL_TLS'
  | 'DATABASE_URL'
  | 'DATABASE_SSL'
  | 'DATABASE_SSL_CA_FILE'
>;

const HOST_PORT = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

/**
 * Rules between the managed-infrastructure settings (TLS, SASL, Sentinel).
 * A half-configured connection would otherwise fail at the first connect with
 * a driver error far from its cause, or worse, quietly run without TLS.
 */
export function infraInconsistencies(c: InfraConfig): string[] {
  const problems: string[] = [];
  const sasl = [c.KAFKA_SASL_USERNAME, c.KAFKA_SASL_PASSWORD];
  if (c.KAFKA_SASL_MECHANISM && sasl.some((v) => !v)) {
    problems.push(
      'KAFKA_SASL_MECHANISM: needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE)',
    );
  }
  if (!c.KAFKA_SASL_MECHANISM && sasl.some(Boolean)) {
    problems.push(
      'KAFKA_SASL_USERNAME/PASSWORD: set KAFKA_SASL_MECHANISM too (plain, scram-sha-256, scram-sha-512)',
    );
  }
  if (c.KAFKA_SASL_MECHANISM === 'plain' && !c.KAFKA_SSL) {
    problems.push(
      'KAFKA_SASL_MECHANISM: plain sends the password in clear; it needs KAFKA_SSL=true',
    );
  }
  if (c.KAFKA_SSL_CA_FILE && !c.KAFKA_SSL) {
    problems.push('KAFKA_SSL_CA_FILE: needs KAFKA_SSL=true');
  }
  if (c.REDIS_SENTINELS.length) {
    if (!c.REDIS_SENTINEL_MASTER) problems.push('REDIS_SENTINELS: needs REDIS_SENTINEL_MASTER');
    const bad = c.REDIS_SENTINELS.filter((s) => !HOST_PORT.test(s));
    if (bad.length) problems.push(`REDIS_SENTINELS: not host:port: ${bad.join(', ')}`);
  } else if (c.REDIS_SENTINEL_MASTER || c.REDIS_SENTINEL_PASSWORD || c.REDIS_SENTINEL_TLS) {
    problems.push('REDIS_SENTINEL_*: set REDIS_SENTINELS too');
  }
  if (c.REDIS_TLS_CA_FILE && !c.REDIS_URL.startsWith('rediss://') && !c.REDIS_SENTINEL_TLS) {
    problems.push('REDIS_TLS_CA_FILE: TLS is off; use a rediss:// REDIS_URL');
  }
  if (c.DATABASE_SSL && new URL(c.DATABASE_URL).searchParams.has('sslmode')) {
    problems.push(
      'DATABASE_SSL: DATABASE_URL has an sslmode too, which would win; keep one of the two',
    );
  }
  if (
    c.DATABASE_SSL_CA_FILE &&
    c.DATABASE_SSL !== 'verify-ca' &&
    c.DATABASE_SSL !== 'verify-full'
  ) {
    problems.push('DATABASE_SSL_CA_FILE: needs DATABASE_SSL=verify-ca or verify-full');
  }
  return problems;
}
