// Shared by the Kafka *.int.spec.ts files only; not exported from the package.
import { uuidv7 } from '@idp/contracts';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { KafkaEventBus } from './kafka.event-bus';
import type { KafkaEventBusOptions } from './kafka/kafka-options';
import type { BusLogger } from './logger';

export const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

/** Short group timings so joins and rebalances take milliseconds (6 s is the broker's minimum session). */
export const FAST_CONSUMER = {
  sessionTimeout: 6_000,
  heartbeatInterval: 300,
  rebalanceTimeout: 5_000,
  maxWaitTimeInMs: 100,
};

/** Collects bus logs; a test prints them only when it needs to explain a failure. */
export function memoryLogger(): BusLogger & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (message: string, context?: Record<string, unknown>) =>
    void lines.push(`${level} ${message} ${JSON.stringify(context ?? {})}`);
  return { lines, warn: push('warn'), error: push('error') };
}

export function testBus(
  topics: readonly string[],
  extra: Partial<KafkaEventBusOptions> = {},
): KafkaEventBus {
  return new KafkaEventBus({
    brokers: BROKERS,
    clientId: `bus-test-${uuidv7()}`,
    topics: topics.map((name) => ({ name, partitions: 3 })),
    consumer: FAST_CONSUMER,
    connectionRetry: { initialMs: 100, maxMs: 1_000, retries: 3 },
    healthCheckIntervalMs: 500,
    logger: memoryLogger(),
    ...extra,
  });
}

/** A plain kafkajs client for what the bus must not do itself: raw writes, wire checks, cleanup. */
export function rawKafka(): Kafka {
  return new Kafka({ brokers: BROKERS, clientId: 'bus-test-raw', logLevel: logLevel.NOTHING });
}

export function rawProducer(kafka: Kafka) {
  return kafka.producer({
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}

export async function deleteTopics(kafka: Kafka, topics: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const mine = topics.flatMap((t) => [t, `${t}.dlq`]).filter((t) => existing.has(t));
    if (mine.length > 0) await admin.deleteTopics({ topics: mine });
  } finally {
    await admin.disconnect();
  }
}
