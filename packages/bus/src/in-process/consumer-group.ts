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
  /** Who waits for a partition's committed offset to pass an offset (`whenConsumed`). */
  private readonly waiters = new Map<string, Waiter[]>();

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
    // Nobody left to consume a topic: its waiters learn it now rather than never.
    const subscribed = new Set(this.members.flatMap((m) => m.topics));
    for (const [key, list] of this.waiters) {
      if (subscribed.has(topicOf(key))) continue;
      this.waiters.delete(key);
      for (const w of list) w.reject(new Error(`group ${this.groupId} left ${topicOf(key)}`));
    }
    this.kick();
  }

  /** Whether a member of this group consumes the topic. */
  consumes(topic: string): boolean {
    return this.members.some((m) => m.topics.includes(topic));
  }

  /**
   * Resolves once this group has committed past `offset` of the partition
   * (handled, or dead-lettered); rejects if the group stops consuming the
   * topic or `failAll` is called first.
   */
  whenConsumed(topic: string, partition: number, offset: number): Promise<void> {
    const key = slot(topic, partition);
    if ((this.committed.get(key) ?? 0) > offset) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const list = this.waiters.get(key);
      const waiter = { offset, resolve, reject };
      if (list) list.push(waiter);
      else this.waiters.set(key, [waiter]);
    });
  }

  /** Every waiter fails (the bus is closing). */
  failAll(error: Error): void {
    for (const list of this.waiters.values()) for (const w of list) w.reject(error);
    this.waiters.clear();
  }

  private committedTo(key: string, next: number): void {
    this.committed.set(key, next);
    const list = this.waiters.get(key);
    if (!list) return;
    const still = list.filter((w) => {
      if (w.offset >= next) return true;
      w.resolve();
      return false;
    });
    if (still.length > 0) this.waiters.set(key, still);
    else this.waiters.delete(key);
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
          this.committedTo(key, next);
        }
        const message = log.read(next);
        if (!message) return;
        const outcome = await owner.process({ topic, partition, offset: String(next), ...message });
        if (outcome === 'done') this.committedTo(key, next + 1);
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

interface Waiter {
  readonly offset: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

const slot = (topic: string, partition: number) => `${topic}#${partition}`;
const topicOf = (key: string) => key.slice(0, key.lastIndexOf('#'));
