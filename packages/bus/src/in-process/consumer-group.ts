import type { RawRecord } from '../codec';
import type { BusLogger } from '../logger';
import type { PartitionLog } from './partition-log';

/** Handles one record; 'aborted' leaves it uncommitted so the next owner gets it again. */
export type RecordProcessor = (
  record: RawRecord,
  signal: AbortSignal,
) => Promise<'done' | 'aborted'>;

export interface LogView {
  partitions(topic: string): number;
  log(topic: string, partition: number): PartitionLog;
  /** False before start() and after close(): nothing is delivered then. */
  delivering(): boolean;
}

/** One subscription inside a group; tracks its in-flight record so close() can wait for it. */
export class GroupMember {
  private readonly abort = new AbortController();
  private inFlight = 0;
  private idle: (() => void)[] = [];

  constructor(
    readonly topics: readonly string[],
    private readonly processor: RecordProcessor,
  ) {}

  async process(record: RawRecord): Promise<'done' | 'aborted'> {
    this.inFlight++;
    try {
      return await this.processor(record, this.abort.signal);
    } finally {
      if (--this.inFlight === 0) this.idle.splice(0).forEach((resolve) => resolve());
    }
  }

  stop(): Promise<void> {
    this.abort.abort();
    return this.inFlight === 0
      ? Promise.resolve()
      : new Promise((resolve) => this.idle.push(resolve));
  }
}

/**
 * A consumer group: committed offsets per partition, and one sequential pump per
 * partition. Partition p of a topic belongs to member p mod n (members in join
 * order), which gives Kafka's "one member per partition" without a protocol.
 */
export class InProcessGroup {
  private readonly committed = new Map<string, number>();
  private readonly members: GroupMember[] = [];
  private readonly pumping = new Set<string>();

  constructor(
    readonly groupId: string,
    private readonly view: LogView,
    private readonly logger: BusLogger,
  ) {}

  join(member: GroupMember, fromBeginning: boolean): void {
    for (const topic of member.topics) {
      for (let p = 0; p < this.view.partitions(topic); p++) {
        const log = this.view.log(topic, p);
        // A committed position always wins, as in Kafka; the flag only places a new group.
        if (!this.committed.has(slot(topic, p)))
          this.committed.set(slot(topic, p), fromBeginning ? log.start : log.end);
      }
    }
    this.members.push(member);
    this.kick();
  }

  async leave(member: GroupMember): Promise<void> {
    const i = this.members.indexOf(member);
    if (i >= 0) this.members.splice(i, 1);
    await member.stop();
    this.kick();
  }

  /** Starts an idle pump for every partition with an owner (optionally only one topic). */
  kick(topic?: string): void {
    const subscribed = new Set(this.members.flatMap((m) => m.topics));
    const topics = topic ? [topic].filter((t) => subscribed.has(t)) : [...subscribed];
    for (const t of topics) {
      for (let p = 0; p < this.view.partitions(t); p++) {
        if (!this.pumping.has(slot(t, p))) void this.pump(t, p);
      }
    }
  }

  private owner(topic: string, partition: number): GroupMember | undefined {
    const candidates = this.members.filter((m) => m.topics.includes(topic));
    return candidates[partition % Math.max(1, candidates.length)];
  }

  private async pump(topic: string, partition: number): Promise<void> {
    const key = slot(topic, partition);
    this.pumping.add(key);
    try {
      while (this.view.delivering()) {
        const owner = this.owner(topic, partition);
        if (!owner) return;
        const log = this.view.log(topic, partition);
        let next = this.committed.get(key) ?? log.start;
        if (next < log.start) {
          this.logger.error('retention dropped messages this group had not consumed', {
            groupId: this.groupId,
            topic,
            partition,
            skipped: log.start - next,
          });
          next = log.start;
          this.committed.set(key, next);
        }
        const message = log.read(next);
        if (!message) return;
        const outcome = await owner.process({ topic, partition, offset: String(next), ...message });
        if (outcome === 'done') this.committed.set(key, next + 1);
        // Aborted by an owner that is still a member would loop forever; only leave() aborts.
        else if (this.members.includes(owner)) return;
      }
    } catch (e) {
      this.logger.error('in-process delivery loop failed', {
        groupId: this.groupId,
        topic,
        partition,
        error: String(e),
      });
    } finally {
      this.pumping.delete(key);
    }
  }
}

const slot = (topic: string, partition: number) => `${topic}#${partition}`;
