import type { Admin } from 'kafkajs';
import type { TopicSpec } from '../topics';

/**
 * Creates the topics that do not exist yet (auto creation is off on our
 * brokers). Idempotent and safe to race with another instance doing the same.
 */
export async function ensureTopics(
  admin: Admin,
  specs: readonly TopicSpec[],
  replicationFactor: number,
): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.name));
  if (missing.length === 0) return;
  // Resolves false when another instance created them first: fine either way.
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((s) => ({ topic: s.name, numPartitions: s.partitions, replicationFactor })),
  });
}

export const slot = (topic: string, partition: number) => `${topic}#${partition}`;

/**
 * For `fromBeginning: false`: the end offset of every partition the group has
 * never committed, read now, so the start position is fixed when subscribe()
 * resolves rather than whenever the first fetch happens to run.
 */
export async function endOffsetsOfUncommitted(
  admin: Admin,
  groupId: string,
  topics: readonly string[],
): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
  for (const { topic, partitions } of committed) {
    const fresh = partitions.filter((p) => p.offset === '-1');
    if (fresh.length === 0) continue;
    const ends = await admin.fetchTopicOffsets(topic);
    for (const p of fresh) {
      const end = ends.find((e) => e.partition === p.partition);
      if (end) result.set(slot(topic, p.partition), end.offset);
    }
  }
  return result;
}
