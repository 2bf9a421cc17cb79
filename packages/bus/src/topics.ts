import { ALL_TOPICS, deadLetterTopic } from '@idp/contracts';
import { UnknownTopicError } from './errors';

export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
}

export const DEFAULT_PARTITIONS = 3;
/** One partition keeps a dead-letter topic in failure order, which is what an operator reads. */
export const DEFAULT_DLQ_PARTITIONS = 1;

export const defaultTopics = (): TopicSpec[] =>
  ALL_TOPICS.map((name) => ({ name, partitions: DEFAULT_PARTITIONS }));

/**
 * The topics a bus serves: the configured ones plus a dead-letter topic for
 * each. A bus rejects every other topic, so a typo fails fast on both adapters.
 */
export class TopicCatalog {
  readonly specs: readonly TopicSpec[];
  private readonly byName: ReadonlyMap<string, TopicSpec>;

  constructor(
    topics: readonly TopicSpec[] = defaultTopics(),
    dlqPartitions = DEFAULT_DLQ_PARTITIONS,
  ) {
    const all = new Map<string, TopicSpec>();
    for (const t of topics) {
      if (!Number.isInteger(t.partitions) || t.partitions < 1) {
        throw new Error(`topic ${t.name}: partitions must be a positive integer`);
      }
      all.set(t.name, t);
      const dlq = deadLetterTopic(t.name);
      if (!all.has(dlq)) all.set(dlq, { name: dlq, partitions: dlqPartitions });
    }
    this.byName = all;
    this.specs = [...all.values()];
  }

  partitions(topic: string): number {
    const spec = this.byName.get(topic);
    if (!spec) throw new UnknownTopicError(topic);
    return spec.partitions;
  }

  assertKnown(topics: readonly string[]): void {
    for (const t of topics) this.partitions(t);
  }
}
