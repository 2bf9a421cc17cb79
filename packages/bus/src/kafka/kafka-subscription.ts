import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { backoffDelay } from '@idp/contracts';
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
 * One consumer-group member. Offsets are committed by hand, only past records
 * the processor is done with (handled or dead-lettered), once per fetched
 * batch (and at least every few hundred records or a second): a crash before
 * the commit redelivers the records handled since the last one, which every
 * processor tolerates (delivery is at least once; handlers are idempotent). kafkajs restarts the
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
        eachBatch: (payload) => this.eachBatch(payload),
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
    const delay = backoffDelay(this.failures, { ...this.deps.retry, jitter: 'none' });
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

  private async eachBatch(p: EachBatchPayload): Promise<void> {
    const { topic, partition } = p.batch;
    // The payload's commit, unlike consumer.commitOffsets, still works while the
    // consumer stops, so records handled before a close are not redelivered.
    const offsets = new PendingOffset(
      (offset) =>
        p.commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset }] }] }),
      () => this.startAt?.delete(slot(topic, partition)),
    );
    try {
      for (const message of p.batch.messages) {
        if (!p.isRunning() || p.isStale() || this.closed) break;
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
          offsets.done(message.offset);
          p.resolveOffset(message.offset);
          if (offsets.due()) await offsets.commit();
        }
        // A rebalance seen mid-handler: hand the partition over now (kafkajs rejoins on this error).
        if (beat.error()) throw beat.error();
        if (outcome === 'aborted') break;
        await p.heartbeat();
      }
    } catch (err) {
      // Keep what was done; a failed commit here only means more redelivery.
      await offsets.commit().catch(() => undefined);
      throw err;
    }
    await offsets.commit();
  }
}

/** Records handled per offset commit at most, and the longest a done record waits for its commit. */
const COMMIT_EVERY_RECORDS = 500;
const COMMIT_EVERY_MS = 1_000;

/**
 * The offset after the last record handled in a batch, committed at the end
 * of the batch (and every few hundred records or a second within a long
 * one): one broker round trip per batch instead of one per record.
 */
class PendingOffset {
  private next: string | undefined;
  private uncommitted = 0;
  private since = Date.now();

  constructor(
    private readonly send: (offset: string) => Promise<void>,
    private readonly onCommitted: () => void,
  ) {}

  done(offset: string): void {
    this.next = (BigInt(offset) + 1n).toString();
    this.uncommitted++;
  }

  due(): boolean {
    return this.uncommitted >= COMMIT_EVERY_RECORDS || Date.now() - this.since >= COMMIT_EVERY_MS;
  }

  async commit(): Promise<void> {
    if (this.next === undefined || this.uncommitted === 0) return;
    this.uncommitted = 0;
    this.since = Date.now();
    await this.send(this.next);
    this.onCommitted();
  }
}
