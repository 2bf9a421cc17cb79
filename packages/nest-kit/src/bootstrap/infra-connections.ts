import type { KafkaSecurity } from '@idp/bus';
import type { RedisConnectionOptions } from '@idp/cache';
import type { Config } from '@idp/config';
import { pgSslConfig, type SqlTarget } from '@idp/eventstore';

/**
 * The one place that turns the managed-infrastructure settings (TLS, SASL,
 * Sentinel; docs/configuration.md) into connection options, so every
 * connection an app opens (bus, event store, delivery table, each Redis
 * client of the services) is secured the same way.
 */

/** Kafka TLS and SASL, for kafkaSecurityConfig. */
export function kafkaSecurity(
  config: Pick<
    Config,
    | 'KAFKA_SSL'
    | 'KAFKA_SSL_CA_FILE'
    | 'KAFKA_SASL_MECHANISM'
    | 'KAFKA_SASL_USERNAME'
    | 'KAFKA_SASL_PASSWORD'
  >,
): KafkaSecurity {
  const { KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: username } = config;
  const password = config.KAFKA_SASL_PASSWORD;
  return {
    tls: config.KAFKA_SSL,
    ...(config.KAFKA_SSL_CA_FILE ? { caFile: config.KAFKA_SSL_CA_FILE } : {}),
    // loadConfig already refused a mechanism without both credentials.
    ...(mechanism && username && password ? { sasl: { mechanism, username, password } } : {}),
  };
}

/** The URL and security of every Redis client (add keyPrefix / connectionName per use). */
export function redisConnection(
  config: Pick<
    Config,
    | 'REDIS_URL'
    | 'REDIS_TLS_CA_FILE'
    | 'REDIS_SENTINELS'
    | 'REDIS_SENTINEL_MASTER'
    | 'REDIS_SENTINEL_PASSWORD'
    | 'REDIS_SENTINEL_TLS'
  >,
): Pick<RedisConnectionOptions, 'url' | 'security'> {
  const sentinel =
    config.REDIS_SENTINELS.length && config.REDIS_SENTINEL_MASTER
      ? {
          sentinels: config.REDIS_SENTINELS,
          masterName: config.REDIS_SENTINEL_MASTER,
          ...(config.REDIS_SENTINEL_PASSWORD ? { password: config.REDIS_SENTINEL_PASSWORD } : {}),
          tls: config.REDIS_SENTINEL_TLS,
        }
      : undefined;
  return {
    url: config.REDIS_URL,
    security: {
      ...(config.REDIS_TLS_CA_FILE ? { tlsCaFile: config.REDIS_TLS_CA_FILE } : {}),
      ...(sentinel ? { sentinel } : {}),
    },
  };
}

/** The PostgreSQL target of the event store and the delivery table (add pool size, name...). */
export function postgresTarget(
  config: Pick<
    Config,
    'DATABASE_URL' | 'DATABASE_SCHEMA' | 'DATABASE_SSL' | 'DATABASE_SSL_CA_FILE'
  >,
  readFile?: (path: string) => string,
): Extract<SqlTarget, { driver: 'postgres' }> {
  return {
    driver: 'postgres',
    url: config.DATABASE_URL,
    schema: config.DATABASE_SCHEMA,
    ...(config.DATABASE_SSL
      ? { ssl: pgSslConfig(config.DATABASE_SSL, config.DATABASE_SSL_CA_FILE, readFile) }
      : {}),
  };
}
