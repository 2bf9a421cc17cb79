import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay } from '@idp/contracts';
import { byTopic, toMessage } from './outbox-batch';
import { publishSpan } from './store-spans';
import type { Outbox, OutboxBacklog, OutboxPublisher, OutboxSession } from './outbox.port';
import {
  relaySettings,
  type OutboxRelayOptions,
  type OutboxRelayStats,
  type RelaySettings,
} from './outbox-relay.options';

type BatchOutcome =
  { readonly ok: true; readonly size: number } | { readonly ok: false; readonly error: unknown };

/**
 * Publishes committed outbox rows in insertion order (each stream in stream
 * order, see OutboxSession.next) and marks them sent (at least once: a crash
 * between publish and mark republishes).
 * Call `notify()` after each commit for latency; the sweep catches the rest.
 */
export class OutboxRelay {
  private state: 'idle' | 'running' | 'stopped' = 'idle';
  private sweepTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  /** The last scheduled pass; passes never overlap and never reject. */
  private pass: Promise<void> = Promise.resolve();
  /** A pass scheduled but not yet started: later kicks can share it. */
  private queued: Promise<void> | undefined;
  private backoffUntil = 0;
  private lastPurge = 0;
  private counters = { published: 0, failures: 0, consecutiveFailures: 0, batches: 0, purged: 0 };
  private readonly settings: RelaySettings;

  constructor(
    private readonly outbox: Outbox,
    private readonly publisher: OutboxPublisher,
    options: OutboxRelayOptions = {},
  ) {
    this.settings = relaySettings(options);
  }

  start(): void {
    if (this.state === 'running') return;
    this.state = 'running';
    // unref: a relay alone never keeps the process alive; the app's servers do.
    this.sweepTimer = setInterval(() => void this.kick(), this.settings.sweepIntervalMs).unref();
    void this.kick();
  }

  /** Stops publishing; resolves once the batch in flight (if any) has finished. */
  async stop(): Promise<void> {
    this.state = 'stopped';
    clearInterval(this.sweepTimer);
    clearTimeout(this.retryTimer);
    await this.pass;
  }

  /** Something was committed: publish now rather than at the next sweep (unless backing off). */
  notify(): void {
    if (this.state === 'running') void this.kick();
  }

  /** Resolves once every row pending at call time is published; rejects after `timeoutMs`. */
  async flush(timeoutMs = 10_000): Promise<void> {
    if (this.state !== 'running') throw new Error('OutboxRelay.flush: the relay is not running');
    const target = await this.outbox.maxPendingPosition();
    if (target === undefined) return;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.kick();
      if (!(await this.outbox.hasPendingUpTo(target))) return;
      if (this.state !== 'running') throw new Error('OutboxRelay.flush: the relay stopped first');
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `OutboxRelay.flush: rows up to ${target} still unsent after ${timeoutMs} ms`,
        );
      // Backing off, or another relay holds the lease: wait instead of spinning.
      await sleep(Math.min(left, Math.max(10, this.backoffUntil - Date.now())));
    }
  }

  pendingCount(): Promise<number> {
    return this.outbox.pendingCount();
  }

  backlog(): Promise<OutboxBacklog> {
    return this.outbox.backlog();
  }

  stats(): OutboxRelayStats {
    return { ...this.counters };
  }

  private kick(): Promise<void> {
    // A pass that has not started yet will see every row committed before now.
    if (this.queued) return this.queued;
    const next = this.pass.then(() => {
      this.queued = undefined;
      return this.drain();
    });
    this.queued = next;
    this.pass = next;
    return next;
  }

  private async drain(): Promise<void> {
    while (this.state === 'running' && Date.now() >= this.backoffUntil) {
      let outcome: BatchOutcome;
      try {
        const lease = await this.outbox.withLease((session) => this.batch(session));
        if (!lease.held) return; // another relay publishes; the sweep asks again
        outcome = lease.value;
      } catch (error) {
        outcome = { ok: false, error }; // the database, not the publisher
      }
      if (!outcome.ok) return this.fail(outcome.error);
      this.counters.consecutiveFailures = 0;
      if (outcome.size < this.settings.batchSize) return;
    }
  }

  private async batch(session: OutboxSession): Promise<BatchOutcome> {
    this.counters.batches++;
    const entries = await session.next(this.settings.batchSize);
    const sent: string[] = [];
    // One publish per topic. A stream maps to exactly one topic, so grouping
    // keeps each stream in order; on failure nothing after it in that topic is
    // attempted, and the batch ends there.
    for (const [topic, group] of byTopic(entries)) {
      const positions = group.map((e) => e.position);
      try {
        await publishSpan(topic, group, () => this.publisher.publish(topic, group.map(toMessage)));
      } catch (error) {
        await session.markSent(sent, new Date());
        await session.recordFailure(positions, describe(error));
        return { ok: false, error };
      }
      sent.push(...positions);
      this.counters.published += group.length;
      safely(() => this.settings.hooks.onPublished?.(topic, group.length));
    }
    await session.markSent(sent, new Date());
    await this.purge(session);
    return { ok: true, size: entries.length };
  }

  private async purge(session: OutboxSession): Promise<void> {
    const now = Date.now();
    if (now - this.lastPurge < this.settings.purgeIntervalMs) return;
    this.lastPurge = now;
    const purged = await session.purgeSent(new Date(now - this.settings.retentionMs));
    this.counters.purged += purged;
    if (purged > 0) safely(() => this.settings.hooks.onPurged?.(purged));
  }

  private fail(error: unknown): void {
    this.counters.failures++;
    const failures = ++this.counters.consecutiveFailures;
    const delay = backoffDelay(failures, this.settings.backoff);
    this.backoffUntil = Date.now() + delay;
    clearTimeout(this.retryTimer);
    if (this.state === 'running')
      this.retryTimer = setTimeout(() => void this.kick(), delay).unref();
    safely(() => this.settings.hooks.onFailure?.(error, failures));
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // Metrics must never break publishing.
  }
}
