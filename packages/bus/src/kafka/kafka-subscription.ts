import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { backoffDelay } from '../delivery';
import type { Subscription } from '../event-bus.port';
import type { BusLogger } from '../logger';
import type { Processor } from '../processors';
import type { ResolvedConsumerConfig } from './kafka-options';
import { heartbeatWhileBusy } from './heartbeat-while-busy';
import { toRecord } from './to-record';
import { endOffsetsOfUncommitted, slot } from './topic-admin';

export interface KafkaSubscriptionDeps {
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly consumer: ResolvedConsumerConfig;
  readonly retry: { readonly initialMs: number; readonly maxMs: number };
  readonly logger: BusLogger;
  readonly onClosed: (s: KafkaSubscription) => void;
}

/**
 * One consumer-group member. Offsets are committed by hand, one record at a
 * time, right after the processor is done with it (handled or dead-lettered):
 * a crash anywhere before that redelivers the record. kafkajs restarts the
 * consumer after retriable failures (broker outages); anything else it gives
 * up on is restarted here, so a subscription never stays dead.
 */
export class KafkaSubscription implements Subscription {
  private consumer: Consumer | undefined;
  private starting: Promise<void> | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private closed = false;
  private readonly stopping = new AbortController();
  /** fromBeginning:false start positions, kept until the partition's first commit. */
  private startAt: Map<string, string> | undefined;

  constructor(
    private readonly deps: KafkaSubscriptionDeps,
    readonly groupId: string,
    private readonly topics: readonly string[],
    private readonly fromBeginning: boolean,
    private readonly processor: Processor,
  ) {}

  start(): Promise<void> {
    this.starting ??= this.run().finally(() => (this.starting = undefined));
    return this.starting;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopping.abort();
    clearTimeout(this.restartTimer);
    await this.starting;
    // Waits for a running batch, which ends quickly now that retries are aborted.
    await this.consumer?.disconnect().catch(() => undefined);
    this.deps.onClosed(this);
  }

  private async run(): Promise<void> {
    if (this.closed) return;
    const { kafka, consumer: cfg, retry } = this.deps;
    const consumer = kafka.consumer({
      groupId: this.groupId,
      sessionTimeout: cfg.sessionTimeout,
      heartbeatInterval: cfg.heartbeatInterval,
      rebalanceTimeout: cfg.rebalanceTimeout,
      maxWaitTimeInMs: cfg.maxWaitTimeInMs,
      allowAutoTopicCreation: false,
      retry: {
        initialRetryTime: retry.initialMs,
        maxRetryTime: retry.maxMs,
        restartOnFailure: async () => !this.closed,
      },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.failures = 0;
      this.seekToStart(consumer, payload.memberAssignment);
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) this.restartLater(consumer, payload.error);
    });
    try {
      if (!this.fromBeginning && !this.startAt) {
        this.startAt = await endOffsetsOfUncommitted(this.deps.admin, this.groupId, this.topics);
      }
      await consumer.connect();
      await consumer.subscribe({ topics: [...this.topics], fromBeginning: this.fromBeginning });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: cfg.partitionsConsumedConcurrently,
        eachBatch: (payload) => this.eachBatch(consumer, payload),
      });
    } catch (e) {
      this.restartLater(consumer, e);
    }
  }

  private restartLater(consumer: Consumer, error: unknown): void {
    if (this.closed) return;
    this.failures++;
    this.deps.logger.error('consumer stopped; restarting', {
      groupId: this.groupId,
      error: String(error),
    });
    void consumer.disconnect().catch(() => undefined);
    const delay = backoffDelay(this.failures, {
      initial: this.deps.retry.initialMs,
      max: this.deps.retry.maxMs,
    });
    this.restartTimer = setTimeout(() => void this.start(), delay);
  }

  /** Runs synchronously inside kafkajs' join, before the first fetch, so the seek always applies. */
  private seekToStart(consumer: Consumer, assignment: Record<string, number[] | undefined>): void {
    if (!this.startAt) return;
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const partition of partitions ?? []) {
        const offset = this.startAt.get(slot(topic, partition));
        if (offset !== undefined) consumer.seek({ topic, partition, offset });
      }
    }
  }

  private async eachBatch(consumer: Consumer, p: EachBatchPayload): Promise<void> {
    const { topic, partition } = p.batch;
    for (const message of p.batch.messages) {
      if (!p.isRunning() || p.isStale() || this.closed) return;
      const beat = heartbeatWhileBusy(
        p.heartbeat,
        this.deps.consumer.heartbeatInterval,
        this.stopping.signal,
      );
      let outcome: 'done' | 'aborted';
      try {
        outcome = await this.processor(toRecord(topic, partition, message), beat.signal);
      } finally {
        beat.stop();
      }
      if (outcome === 'done') {
        await consumer.commitOffsets([
          { topic, partition, offset: (BigInt(message.offset) + 1n).toString() },
        ]);
        p.resolveOffset(message.offset);
        this.startAt?.delete(slot(topic, partition));
      }
      // A rebalance seen mid-handler: hand the partition over now (kafkajs rejoins on this error).
      if (beat.error()) throw beat.error();
      if (outcome === 'aborted') return;
      await p.heartbeat();
    }
  }
}
