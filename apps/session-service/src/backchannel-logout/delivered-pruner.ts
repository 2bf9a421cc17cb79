import type { DeliveryStore } from './delivery-store.port';

const DAY_MS = 86_400_000;
/** Rows deleted per statement: short transactions, never one huge delete. */
const BATCH = 1000;

export interface PrunerOptions {
  readonly retentionDays: number;
  /** How often it runs (and once at start). */
  readonly everyMs: number;
  readonly now?: () => number;
  readonly onError?: (err: unknown) => void;
}

/**
 * Deletes delivered back-channel logout rows once they are older than the
 * retention: the queue only needs pending and dead-lettered rows, and the
 * session streams keep who was told and when. Without it the table grows
 * with every logout forever. Replicas may run it at the same time: deletes
 * of the same rows are harmless.
 */
export class DeliveredPruner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private readonly now: () => number;

  constructor(
    private readonly store: Pick<DeliveryStore, 'pruneDelivered'>,
    private readonly options: PrunerOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    if (this.timer) return;
    void this.runOnce();
    this.timer = setInterval(() => void this.runOnce(), this.options.everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass: deletes in batches until a batch comes back short; returns how many went. */
  runOnce(): Promise<number> {
    this.running ??= this.prune().finally(() => (this.running = undefined));
    return this.running;
  }

  private async prune(): Promise<number> {
    const before = this.now() - this.options.retentionDays * DAY_MS;
    let total = 0;
    try {
      for (;;) {
        const deleted = await this.store.pruneDelivered(before, BATCH);
        total += deleted;
        if (deleted < BATCH) return total;
      }
    } catch (err) {
      this.options.onError?.(err);
      return total;
    }
  }
}
