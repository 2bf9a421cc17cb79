import { z } from 'zod';
import { list, offByDefault, positiveInt } from './setting-schemas';

/**
 * The Kafka event bus (distributed mode): brokers, topic and group names,
 * consumer timings (checked against each other in consistency.ts), TLS and
 * SASL.
 * Part of the one settings table (defaults.ts), spread where these rows
 * always were, so docs/configuration.md lists them in the same place.
 */
export const kafkaSettings = {
  KAFKA_BROKERS: {
    schema: list.default(['127.0.0.1:9092']),
    description: 'Comma-separated Kafka bootstrap servers.',
  },
  KAFKA_CLIENT_ID: { schema: z.string().default('idp'), description: 'Kafka client id prefix.' },
  KAFKA_TOPIC_PREFIX: {
    schema: z.string().default(''),
    description:
      'Prefix for every topic name and consumer group id (isolates environments sharing a cluster; tests use it).',
  },
  KAFKA_SESSION_TIMEOUT_MS: {
    schema: z.coerce.number().int().min(1000).max(300_000).default(10_000),
    description:
      "Kafka consumer session timeout: how long the group coordinator waits for heartbeats before it declares a member dead and hands its partitions to the others. After a crash (kill -9, OOM, lost node) the dead member holds its partitions, and a restarted process cannot take them over, until this expires; events of those partitions wait that long (serving does not: consumers join in the background, docs/operations/restarts.md). Shorter = faster takeover after a crash, but a member that misses heartbeats for this long (a GC or event-loop pause, a slow network) is expelled and the group rebalances for nothing. Must lie within the broker's `group.min.session.timeout.ms` (default 6000) and `group.max.session.timeout.ms` (default 1800000).",
  },
  KAFKA_HEARTBEAT_INTERVAL_MS: {
    schema: positiveInt.max(100_000).default(3000),
    description:
      'Kafka consumer heartbeat interval. Must be below KAFKA_SESSION_TIMEOUT_MS; keep it at a third or less of it, so two lost heartbeats do not expel a live member.',
  },
  KAFKA_REBALANCE_TIMEOUT_MS: {
    schema: z.coerce.number().int().min(1000).max(600_000).default(60_000),
    description:
      'Kafka consumer rebalance timeout: how long the coordinator waits for every live member to rejoin during a rebalance. A member busy with a slow event handler rejoins once the handler returns, so this bounds a rebalance, not a crash takeover (that is KAFKA_SESSION_TIMEOUT_MS).',
  },
  KAFKA_SSL: {
    schema: offByDefault,
    description:
      "TLS to the Kafka brokers (the broker's certificate and host name are verified). Managed Kafka services require it.",
  },
  KAFKA_SSL_CA_FILE: {
    schema: z.string().optional(),
    description:
      "PEM file of the CA(s) that sign the brokers' certificates (e.g. Strimzi's `<cluster>-cluster-ca-cert`). Needs KAFKA_SSL=true; unset: Node's built-in CAs.",
  },
  KAFKA_SASL_MECHANISM: {
    schema: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
    description:
      'SASL authentication to the brokers, with KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD. `scram-sha-256`/`scram-sha-512` (Strimzi `scram-sha-512`, Amazon MSK, Aiven); `plain` sends the password itself and is refused without KAFKA_SSL=true. Unset: no SASL.',
  },
  KAFKA_SASL_USERNAME: {
    schema: z.string().optional(),
    description: 'SASL user name (with KAFKA_SASL_MECHANISM).',
  },
  KAFKA_SASL_PASSWORD: {
    schema: z.string().optional(),
    description: 'SASL password (with KAFKA_SASL_MECHANISM).',
  },
} as const;
