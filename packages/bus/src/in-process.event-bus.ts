import { deadLetterTopic } from '@idp/contracts';
import { encodeAll } from './codec';
import type { DeadLetterRecord } from './dead-letter';
import { retryPolicy } from './delivery';
import { BusClosedError, BusNotReadyError } from './errors';
import type {
  BusMessage,
  DeadLetterReader,
  DeadLetterSubscribeOptions,
  EventBus,
  SubscribeOptions,
  Subscription,
} from './event-bus.port';
import { GroupMember, InProcessGroup, type LogView } from './in-process/consumer-group';
import { PartitionLog, partitionFor, type StoredMessage } from './in-process/partition-log';
import { defaultBusLogger, type BusLogger } from './logger';
import { deadLetterProcessor, eventProcessor, type Processor } from './processors';
import { TopicCatalog, type TopicSpec } from './topics';

export interface InProcessEventBusOptions {
  /** Default: ALL_TOPICS with 3 partitions; each gets a `.dlq` with 1. */
  readonly topics?: readonly TopicSpec[];
  /** Messages kept per partition (default 10 000); older ones are dropped, even if a group lags. */
  readonly maxMessagesPerPartition?: number;
  readonly logger?: BusLogger;
  /**
   * When `publish` resolves. `appended` (the default, Kafka's semantics):
   * once the messages are in the log. `consumed`: once every group that
   * consumes the topic has handled them (or dead-lettered them). The embedded
   * mode uses `consumed`: the log lives in memory, so an outbox row may only
   * be marked sent once its effects are done; a crash before that publishes
   * it again at the next start (consumers are idempotent).
   */
  readonly ackWhen?: 'appended' | 'consumed';
  /** With `consumed`: how long publish waits before it fails (the relay then retries). */
  readonly ackTimeoutMs?: number;
}

/**
 * The embedded-mode bus: Kafka's semantics (partitions by key hash, per-group
 * committed offsets, in-order per partition, asynchronous delivery, retries,
 * dead-letter topics) inside one process.
 *
 * Messages live only in memory and are lost with the process. That is by
 * design: durability in embedded mode comes from the event store and its
 * outbox (a row is marked sent only after publish resolves, and projections
 * are rebuilt by replaying the store at boot), not from this bus.
 */
export class InProcessEventBus implements EventBus, DeadLetterReader {
  private readonly catalog: TopicCatalog;
  private readonly logs = new Map<string, PartitionLog[]>();
  private readonly groups = new Map<string, InProcessGroup>();
  private readonly members = new Map<GroupMember, InProcessGroup>();
  private readonly pendingKicks = new Set<string>();
  private readonly logger: BusLogger;
  private readonly ackWhen: 'appended' | 'consumed';
  private readonly ackTimeoutMs: number;
  private state: 'new' | 'started' | 'closed' = 'new';
  private readonly view: LogView = {
    partitions: (topic) => this.catalog.partitions(topic),
    log: (topic, p) => this.partitionLog(topic, p),
    delivering: () => this.state === 'started',
  };

  constructor(opts: InProcessEventBusOptions = {}) {
    this.catalog = new TopicCatalog(opts.topics);
    this.logger = opts.logger ?? defaultBusLogger;
    this.ackWhen = opts.ackWhen ?? 'appended';
    this.ackTimeoutMs = opts.ackTimeoutMs ?? 60_000;
    const max = opts.maxMessagesPerPartition ?? 10_000;
    for (const spec of this.catalog.specs) {
      this.logs.set(
        spec.name,
        Array.from({ length: spec.partitions }, () => new PartitionLog(max)),
      );
    }
  }

  async start(): Promise<void> {
    if (this.state === 'closed') throw new BusClosedError();
    this.state = 'started';
    for (const group of this.groups.values()) group.kick();
  }

  ready(): boolean {
    return this.state === 'started';
  }

  async publish(topic: string, messages: readonly BusMessage[]): Promise<void> {
    this.catalog.assertKnown([topic]);
    const encoded = encodeAll(messages);
    this.assertStarted();
    // The last offset appended per partition: what each consuming group must pass.
    const last = new Map<number, number>();
    for (const m of encoded) {
      const [partition, offset] = this.append(topic, m);
      last.set(partition, offset);
    }
    this.scheduleDelivery(topic);
    if (this.ackWhen === 'consumed') await this.consumed(topic, last);
  }

  private async consumed(topic: string, last: ReadonlyMap<number, number>): Promise<void> {
    const waits = [...this.groups.values()]
      .filter((group) => group.consumes(topic))
      .flatMap((group) => [...last].map(([p, offset]) => group.whenConsumed(topic, p, offset)));
    if (waits.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${topic}: not consumed within ${this.ackTimeoutMs} ms`)),
        this.ackTimeoutMs,
      );
      timer.unref();
    });
    try {
      await Promise.race([Promise.all(waits), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Appends a value without produce-side validation: for tests and tooling that
   * must show what consumers do with bytes a foreign producer wrote.
   */
  async appendRaw(
    topic: string,
    key: string | null,
    value: string | null,
    headers: Record<string, string> = {},
  ): Promise<void> {
    this.catalog.assertKnown([topic]);
    this.assertStarted();
    this.append(topic, { key, value, headers });
    this.scheduleDelivery(topic);
  }

  async subscribe(opts: SubscribeOptions): Promise<Subscription> {
    const processor = eventProcessor({
      groupId: opts.groupId,
      handler: opts.handler,
      policy: retryPolicy(opts),
      logger: this.logger,
      sendDeadLetter: async (letter) => this.storeDeadLetter(letter),
    });
    return this.join(opts.groupId, opts.topics, processor, opts.fromBeginning ?? true);
  }

  async subscribeDeadLetters(opts: DeadLetterSubscribeOptions): Promise<Subscription> {
    const processor = deadLetterProcessor({
      groupId: opts.groupId,
      handler: opts.handler,
      logger: this.logger,
    });
    return this.join(
      opts.groupId,
      opts.topics.map(deadLetterTopic),
      processor,
      opts.fromBeginning ?? true,
    );
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    for (const group of this.groups.values()) group.failAll(new BusClosedError());
    await Promise.all([...this.members].map(([member, group]) => group.leave(member)));
    this.members.clear();
  }

  private join(
    groupId: string,
    topics: readonly string[],
    processor: Processor,
    fromBeginning: boolean,
  ): Subscription {
    if (this.state === 'closed') throw new BusClosedError();
    this.catalog.assertKnown(topics);
    let group = this.groups.get(groupId);
    if (!group) {
      group = new InProcessGroup(groupId, this.view, this.logger);
      this.groups.set(groupId, group);
    }
    const member = new GroupMember([...topics], processor);
    this.members.set(member, group);
    group.join(member, fromBeginning);
    const joined = group;
    return {
      close: async () => {
        if (!this.members.delete(member)) return;
        await joined.leave(member);
      },
    };
  }

  private storeDeadLetter(letter: DeadLetterRecord): void {
    this.append(letter.topic, { key: letter.key, value: letter.value, headers: letter.headers });
    this.scheduleDelivery(letter.topic);
  }

  /** Returns [partition, offset] of the appended message. */
  private append(topic: string, message: StoredMessage): [number, number] {
    const partitions = this.catalog.partitions(topic);
    // Keyless messages have no order to keep; spread them like Kafka's sticky-less default.
    const p =
      message.key === null
        ? Math.floor(Math.random() * partitions)
        : partitionFor(message.key, partitions);
    return [p, this.partitionLog(topic, p).append(message)];
  }

  /** Delivery starts after publish() has resolved, as with Kafka: a handler never runs inside publish. */
  private scheduleDelivery(topic: string): void {
    if (this.pendingKicks.has(topic)) return;
    this.pendingKicks.add(topic);
    setImmediate(() => {
      this.pendingKicks.delete(topic);
      for (const group of this.groups.values()) group.kick(topic);
    });
  }

  private partitionLog(topic: string, partition: number): PartitionLog {
    const log = this.logs.get(topic)?.[partition];
    if (!log) throw new Error(`no partition ${partition} for ${topic}`);
    return log;
  }

  private assertStarted(): void {
    if (this.state === 'closed') throw new BusClosedError();
    if (this.state === 'new') throw new BusNotReadyError('event bus not started');
  }
}
