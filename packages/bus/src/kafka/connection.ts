import { setTimeout } from 'node:timers/promises';
import type { Admin, Producer } from 'kafkajs';
import { backoffDelay } from '@idp/contracts';
import type { BusLogger } from '../logger';
import type { TopicSpec } from '../topics';
import { ensureTopics } from './topic-admin';

export interface ConnectionConfig {
  readonly topics: readonly TopicSpec[];
  readonly replicationFactor: number;
  readonly retry: { readonly initialMs: number; readonly maxMs: number };
  readonly healthCheckIntervalMs: number;
}

/**
 * Owns the bus' admin + producer connection and the ready() flag. An
 * unreachable broker is never fatal: connecting and reconnecting happen in a
 * background loop with backoff, and a periodic check notices an outage even
 * when nothing is being published.
 */
export class KafkaConnection {
  private connected = false;
  private everConnected = false;
  private reconnecting: Promise<void> | undefined;
  private checking: Promise<void> | undefined;
  private healthTimer: NodeJS.Timeout | undefined;
  private readonly closing = new AbortController();

  constructor(
    readonly admin: Admin,
    readonly producer: Producer,
    private readonly cfg: ConnectionConfig,
    private readonly logger: BusLogger,
    /** Runs once, after the first successful connect (starts the subscriptions). */
    private readonly onFirstConnect: () => void,
  ) {}

  ready(): boolean {
    return this.connected && !this.closing.signal.aborted;
  }

  hasConnected(): boolean {
    return this.everConnected;
  }

  /** Waits for the first attempt only; on failure the loop continues in the background. */
  async start(): Promise<void> {
    if (!(await this.attempt())) this.reconnect();
    this.healthTimer = setInterval(() => void this.check(), this.cfg.healthCheckIntervalMs);
    this.healthTimer.unref();
  }

  /** Something failed (a publish): find out now whether the broker is gone. */
  check(): Promise<void> {
    if (this.closing.signal.aborted || this.reconnecting || !this.connected)
      return Promise.resolve();
    this.checking ??= this.admin
      .describeCluster()
      .then(
        () => undefined,
        (e: unknown) => {
          this.connected = false;
          this.logger.error('lost the Kafka broker; reconnecting in the background', {
            error: String(e),
          });
          this.reconnect();
        },
      )
      .finally(() => (this.checking = undefined));
    return this.checking;
  }

  async close(): Promise<void> {
    this.closing.abort();
    clearInterval(this.healthTimer);
    await this.reconnecting;
    this.connected = false;
    await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
  }

  private reconnect(): void {
    if (this.reconnecting || this.closing.signal.aborted) return;
    this.reconnecting = (async () => {
      for (let n = 1; !this.closing.signal.aborted; n++) {
        // Cut short by close(), which must not wait out a backoff.
        await setTimeout(backoffDelay(n, { ...this.cfg.retry, jitter: 'none' }), undefined, {
          signal: this.closing.signal,
        }).catch(() => {});
        if (this.closing.signal.aborted || (await this.attempt())) return;
      }
    })().finally(() => (this.reconnecting = undefined));
  }

  private async attempt(): Promise<boolean> {
    try {
      // Admin first: it fails fastest when the broker is down, and topics must exist before producing.
      await this.admin.connect();
      await ensureTopics(this.admin, this.cfg.topics, this.cfg.replicationFactor);
      await this.producer.connect();
    } catch (e) {
      this.logger.warn('Kafka not reachable yet; will retry', { error: String(e) });
      return false;
    }
    if (this.closing.signal.aborted) return false;
    this.connected = true;
    if (!this.everConnected) {
      this.everConnected = true;
      this.onFirstConnect();
    }
    return true;
  }
}
