export * from './event-bus.port';
export * from './errors';
export {
  defaultTopics,
  DEFAULT_PARTITIONS,
  DEFAULT_DLQ_PARTITIONS,
  type TopicSpec,
} from './topics';
export { DLQ_HEADERS } from './dead-letter';
export { DEFAULT_MAX_ATTEMPTS, DEFAULT_RETRY_BACKOFF } from './delivery';
export { defaultBusLogger, silentBusLogger, type BusLogger } from './logger';
export { InProcessEventBus, type InProcessEventBusOptions } from './in-process.event-bus';
export { KafkaEventBus } from './kafka.event-bus';
export type { KafkaEventBusOptions } from './kafka/kafka-options';
export { kafkaSecurityConfig, type KafkaSecurity } from './kafka/kafka-security';
