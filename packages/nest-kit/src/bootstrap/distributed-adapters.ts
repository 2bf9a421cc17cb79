import { ALL_TOPICS } from '@idp/contracts';
import type { Config } from '@idp/config';
import { KafkaEventBus, kafkaSecurityConfig } from '@idp/bus';
import { createRedisCache, createRedisInvalidations } from '@idp/cache';
import { createEventStore, OutboxRelay } from '@idp/eventstore';
import type { InfraBindings } from '../infra/infra.module';
import { metrics } from '../metrics/metrics';
import { kafkaSecurity, postgresTarget, redisConnection } from './infra-connections';
import { prefixedPublisher } from './prefixed-publisher';

export interface AdapterNeeds {
  /** Appends events (and so runs an outbox relay). */
  readonly eventStore: boolean;
  readonly cache: boolean;
  /** Redis pub/sub for per-replica cache invalidations (channels under REDIS_KEY_PREFIX). */
  readonly invalidations?: boolean;
}

/** Relay hooks feed Prometheus; a relay never logs payloads. */
export function relayHooks(service: string) {
  // Both series exist from the start at 0, so rate() and alerts see the first failure.
  metrics.outboxPublished.inc({ service }, 0);
  metrics.outboxPublishFailures.inc({ service }, 0);
  return {
    onPublished: (_topic: string, count: number) => metrics.outboxPublished.inc({ service }, count),
    onFailure: () => metrics.outboxPublishFailures.inc({ service }),
  };
}

/**
 * The distributed mode's adapters: Kafka, PostgreSQL and Redis. Kafka may be
 * down at boot: the bus keeps reconnecting in the background and readiness
 * says so, while the outbox holds every event until it is back.
 */
export async function distributedAdapters(
  config: Config,
  service: string,
  needs: AdapterNeeds,
): Promise<InfraBindings> {
  const prefix = config.KAFKA_TOPIC_PREFIX;
  const bus = new KafkaEventBus({
    brokers: config.KAFKA_BROKERS,
    clientId: `${config.KAFKA_CLIENT_ID}-${service}`,
    ...kafkaSecurityConfig(kafkaSecurity(config)),
    topics: ALL_TOPICS.map((t) => ({ name: prefix + t, partitions: 3 })),
    // Trade-offs in docs/operations/restarts.md: how fast a crashed member's partitions move on.
    consumer: {
      sessionTimeout: config.KAFKA_SESSION_TIMEOUT_MS,
      heartbeatInterval: config.KAFKA_HEARTBEAT_INTERVAL_MS,
      rebalanceTimeout: config.KAFKA_REBALANCE_TIMEOUT_MS,
    },
  });
  await bus.start();
  const eventStore = needs.eventStore
    ? await createEventStore({
        ...postgresTarget(config),
        // Findable in pg_stat_activity (docs/operations/storage-faults.md).
        applicationName: `idp-${service}`,
      })
    : undefined;
  const relay = eventStore
    ? new OutboxRelay(eventStore.outbox, prefixedPublisher(bus, prefix), {
        sweepIntervalMs: config.OUTBOX_SWEEP_MS,
        hooks: relayHooks(service),
      })
    : undefined;
  const cache = needs.cache
    ? await createRedisCache({ ...redisConnection(config), keyPrefix: config.REDIS_KEY_PREFIX })
    : undefined;
  const invalidations = needs.invalidations
    ? await createRedisInvalidations({
        ...redisConnection(config),
        channelPrefix: config.REDIS_KEY_PREFIX,
        connectionName: service,
      })
    : undefined;
  return {
    config,
    bus,
    ...(eventStore && { eventStore }),
    ...(relay && { relay }),
    ...(cache && { cache }),
    ...(invalidations && { invalidations }),
  };
}
