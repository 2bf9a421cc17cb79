import { Kafka, logLevel, type Admin, type KafkaConfig } from 'kafkajs';
import type { ConsumerLagSource } from './scrape-gauges';

/** A group this process consumes with: the logical name (the metric label) and what Kafka knows. */
interface TrackedGroup {
  readonly groupId: string;
  /** Physical topic names (with KAFKA_TOPIC_PREFIX) and their logical names. */
  readonly topics: ReadonlyMap<string, string>;
}

const tracked = new Map<string, TrackedGroup>();

/**
 * Called by the event-bus transport once a group joined. The lag is then
 * reported under the logical group and topic names, as the other consumer
 * metrics are, whatever the deployment's prefix.
 */
export function trackConsumerGroup(
  group: string,
  groupId: string,
  topics: readonly { readonly physical: string; readonly logical: string }[],
): void {
  tracked.set(group, { groupId, topics: new Map(topics.map((t) => [t.physical, t.logical])) });
}

export function untrackConsumerGroups(): void {
  tracked.clear();
}

export interface ConsumerLag {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly lag: number;
}

/**
 * What a group has not consumed yet: the high watermark minus the committed
 * offset, per partition. A partition the group never committed on counts
 * from the low watermark (the bus subscribes from the beginning).
 */
export function lagOf(
  committed: readonly { partition: number; offset: string }[],
  watermarks: readonly { partition: number; high: string; low: string }[],
): { partition: number; lag: number }[] {
  const offsets = new Map(committed.map((c) => [c.partition, Number(c.offset)]));
  return watermarks.map((w) => {
    const at = offsets.get(w.partition) ?? -1;
    const from = at >= 0 ? at : Number(w.low);
    return { partition: w.partition, lag: Math.max(0, Number(w.high) - from) };
  });
}

/**
 * Consumer lag read with kafkajs' admin client when Prometheus scrapes: the
 * committed offsets of the groups this process joined against the topics'
 * high watermarks. The admin connects on the first scrape and again after a
 * failure; the scrape deadline (scrape-gauges.ts) bounds a broker that hangs.
 */
export class KafkaConsumerLag implements ConsumerLagSource {
  private admin: Promise<Admin> | undefined;
  private readonly kafka: Kafka;

  constructor(
    options: {
      readonly brokers: readonly string[];
      readonly clientId: string;
    } & Pick<KafkaConfig, 'ssl' | 'sasl'>,
  ) {
    this.kafka = new Kafka({
      // TLS and SASL as the bus connects (KAFKA_SSL, KAFKA_SASL_*).
      ...(options.ssl === undefined ? {} : { ssl: options.ssl }),
      ...(options.sasl === undefined ? {} : { sasl: options.sasl }),
      brokers: [...options.brokers],
      clientId: options.clientId,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1_000,
      requestTimeout: 2_000,
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 500 },
    });
  }

  async lag(): Promise<ConsumerLag[]> {
    const groups = [...tracked];
    if (groups.length === 0) return [];
    try {
      const admin = await this.connected();
      const watermarks = new Map<
        string,
        Promise<{ partition: number; high: string; low: string }[]>
      >();
      const highOf = (topic: string) => {
        let w = watermarks.get(topic);
        if (w === undefined) {
          w = admin.fetchTopicOffsets(topic);
          watermarks.set(topic, w);
        }
        return w;
      };
      const perGroup = await Promise.all(
        groups.map(async ([group, { groupId, topics }]) => {
          const committed = await admin.fetchOffsets({ groupId, topics: [...topics.keys()] });
          return Promise.all(
            committed.map(async ({ topic, partitions }) =>
              lagOf(partitions, await highOf(topic)).map((p) => ({
                group,
                topic: topics.get(topic) ?? topic,
                ...p,
              })),
            ),
          );
        }),
      );
      return perGroup.flat(2);
    } catch (err) {
      await this.disconnect();
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.disconnect();
  }

  private connected(): Promise<Admin> {
    this.admin ??= (async () => {
      const admin = this.kafka.admin();
      await admin.connect();
      return admin;
    })();
    return this.admin;
  }

  private async disconnect(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.then((a) => a.disconnect()).catch(() => undefined);
  }
}
