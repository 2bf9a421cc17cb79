import type { SsfStore } from './ssf-store.port';

/** Which of these streams are enabled and have a SET waiting to be polled (SsfStore.pollStreamsReady). */
export type ReadyPollStreams = (streamIds: readonly string[]) => Promise<string[]>;

export interface PollWakeUpsOptions {
  /** How often the held streams are looked up in the queue, for SETs queued by another replica. */
  readonly recheckMs: number;
  readonly onError?: (err: unknown) => void;
}

/** Stream ids per re-check query: an IN list both drivers take comfortably. */
const RECHECK_CHUNK = 1000;

/**
 * Where held RFC 8936 long polls wait (ADR 0035, long polling). A poll is
 * woken at once by a SET queued in this process ({@link notify}, the
 * fan-out's path), and otherwise within `recheckMs` by one query for every
 * stream held in this process, which finds SETs queued by another replica's
 * consumer. Nothing holds a database connection while waiting; the timer
 * runs only while some poll is held.
 */
export class PollWakeUps {
  private readonly waiting = new Map<string, Set<() => void>>();
  private timer: NodeJS.Timeout | undefined;
  private checking = false;
  private closed = false;

  constructor(
    private readonly ready: ReadyPollStreams,
    private readonly options: PollWakeUpsOptions,
  ) {}

  /** Polls held now, for tests and metrics. */
  get held(): number {
    let n = 0;
    for (const set of this.waiting.values()) n += set.size;
    return n;
  }

  /**
   * Resolves when a SET may be waiting for the stream, after `ms`, when
   * `signal` aborts, or on {@link close}, whichever comes first; never rejects.
   */
  wait(streamId: string, ms: number, signal?: AbortSignal): Promise<void> {
    if (this.closed || signal?.aborted === true || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      let finished = false;
      const done = () => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.remove(streamId, done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      this.add(streamId, done);
    });
  }

  /** SETs were queued for these streams: their held polls look again now. */
  notify(streamIds: Iterable<string>): void {
    for (const id of new Set(streamIds))
      for (const done of [...(this.waiting.get(id) ?? [])]) done();
  }

  /** The process is stopping: every held poll answers now, and none is held from now on. */
  close(): void {
    this.closed = true;
    this.notify([...this.waiting.keys()]);
  }

  private add(streamId: string, done: () => void): void {
    let set = this.waiting.get(streamId);
    if (set === undefined) this.waiting.set(streamId, (set = new Set()));
    set.add(done);
    if (this.timer === undefined) {
      this.timer = setInterval(() => void this.recheck(), this.options.recheckMs);
      this.timer.unref();
    }
  }

  private remove(streamId: string, done: () => void): void {
    const set = this.waiting.get(streamId);
    set?.delete(done);
    if (set?.size === 0) this.waiting.delete(streamId);
    if (this.waiting.size === 0 && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private async recheck(): Promise<void> {
    // A slow database must not stack re-checks up: skip a tick while one runs.
    if (this.checking || this.waiting.size === 0) return;
    this.checking = true;
    try {
      const ids = [...this.waiting.keys()];
      for (let i = 0; i < ids.length; i += RECHECK_CHUNK)
        this.notify(await this.ready(ids.slice(i, i + RECHECK_CHUNK)));
    } catch (err) {
      this.options.onError?.(err);
    } finally {
      this.checking = false;
    }
  }
}

/**
 * The store as the fan-out sees it: a SET queued for a poll stream wakes
 * that stream's polls held in this process at once (set-fan-out.ts stays
 * unaware of polling).
 */
export function wakingHeldPolls(store: SsfStore, wakeUps: PollWakeUps): SsfStore {
  return new Proxy(store, {
    get(target, property) {
      if (property === 'schedule') {
        const schedule: SsfStore['schedule'] = async (deliveries, now) => {
          const inserted = await target.schedule(deliveries, now);
          wakeUps.notify(inserted.filter((d) => d.method === 'poll').map((d) => d.streamId));
          return inserted;
        };
        return schedule;
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
}
