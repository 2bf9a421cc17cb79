/** Why a unit of work was not admitted: every slot busy and the queue full, or it waited too long. */
export class AdmissionRefused extends Error {
  override readonly name = 'AdmissionRefused';
  constructor(readonly reason: 'queue_full' | 'queue_timeout') {
    super(`not admitted: ${reason}`);
  }
}

export interface AdmissionGateOptions {
  /** Units of work running at once. */
  readonly concurrency: number;
  /** Units waiting for a slot; one more is refused at once. */
  readonly queue: number;
  /** A waiter that got no slot within this is refused (its caller's deadline is near). */
  readonly queueTimeoutMs: number;
}

interface Waiter {
  readonly start: () => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * A semaphore with a bounded FIFO queue: admission control for work whose
 * cost is memory (a password check holds ~128 MiB while it runs). Work past
 * the queue is refused at once, so a flood costs a closure per waiter, never
 * another 128 MiB, and every caller gets an answer before its deadline.
 */
export class AdmissionGate {
  private active = 0;
  private readonly waiters: Waiter[] = [];

  constructor(private readonly options: AdmissionGateOptions) {
    if (!(options.concurrency >= 1)) throw new RangeError('concurrency must be at least 1');
    if (!(options.queue >= 0)) throw new RangeError('queue must not be negative');
  }

  get running(): number {
    return this.active;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.active < this.options.concurrency) {
      this.active += 1;
      return Promise.resolve();
    }
    if (this.waiters.length >= this.options.queue) {
      return Promise.reject(new AdmissionRefused('queue_full'));
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        // The slot is handed over by release(): `active` does not change.
        start: () => {
          clearTimeout(waiter.timer);
          resolve();
        },
        timer: setTimeout(() => {
          const at = this.waiters.indexOf(waiter);
          if (at >= 0) this.waiters.splice(at, 1);
          reject(new AdmissionRefused('queue_timeout'));
        }, this.options.queueTimeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  private release(): void {
    const next = this.waiters.shift();
    if (next) next.start();
    else this.active -= 1;
  }
}
