/** What one submission came to: its own result or its own error. */
export type Outcome<R> =
  { readonly ok: true; readonly value: R } | { readonly ok: false; readonly error: unknown };

interface Waiting<T, R> {
  readonly item: T;
  readonly weight: number;
  resolve(value: R): void;
  reject(error: unknown): void;
}

/**
 * Group commit: submissions that arrive while a batch is being committed
 * wait, and go together in the next batch. One batch is in flight at a time,
 * so under load N callers share one transaction (one lock hold, one fsync)
 * instead of queueing for N; an idle store commits a lone submission at once.
 *
 * `commit` settles each item of a batch separately (one may conflict while
 * the others succeed); if it throws, every item of the batch fails with it.
 */
export class GroupCommit<T, R> {
  private readonly queue: Waiting<T, R>[] = [];
  private draining = false;

  constructor(
    private readonly commit: (items: readonly T[]) => Promise<readonly Outcome<R>[]>,
    /** The most weight (e.g. rows) one batch carries; a heavier single item still goes, alone. */
    private readonly maxWeight: number,
  ) {}

  submit(item: T, weight = 1): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, weight, resolve, reject });
      if (!this.draining) {
        this.draining = true;
        // After this turn's I/O callbacks: the requests that arrived together
        // share the first batch (a microtask would run before the next socket's data).
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      for (let batch = this.take(); batch.length > 0; batch = this.take()) {
        let outcomes: readonly Outcome<R>[];
        try {
          outcomes = await this.commit(batch.map((w) => w.item));
          if (outcomes.length !== batch.length)
            throw new Error(`group commit: ${outcomes.length} outcomes for ${batch.length} items`);
        } catch (err) {
          for (const w of batch) w.reject(err);
          continue;
        }
        outcomes.forEach((o, i) => (o.ok ? batch[i]!.resolve(o.value) : batch[i]!.reject(o.error)));
      }
    } finally {
      this.draining = false;
    }
  }

  /** The oldest submissions, up to maxWeight (always at least one). */
  private take(): Waiting<T, R>[] {
    let weight = 0;
    let n = 0;
    while (n < this.queue.length && (n === 0 || weight + this.queue[n]!.weight <= this.maxWeight)) {
      weight += this.queue[n]!.weight;
      n++;
    }
    return this.queue.splice(0, n);
  }
}
