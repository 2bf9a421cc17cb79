import type { EventStore } from '@idp/eventstore';
import type { Io } from './io';

export interface ProgressOptions {
  /** Events in the store when the replay started. */
  readonly total: number;
  /** Between two plain lines when stderr is not a terminal. */
  readonly plainEveryMs?: number;
  /** Between two redraws on a terminal. */
  readonly ttyEveryMs?: number;
}

/**
 * Progress of a replay on stderr (stdout keeps the one result line scripts
 * parse): on a terminal one line redrawn in place, otherwise a plain line
 * every few seconds, so a log file gets a readable trail. `done` counts the
 * events read (positions are not contiguous, so they count nothing).
 */
export class ReplayProgress {
  private done = 0;
  private readonly started: number;
  private timer: NodeJS.Timeout | undefined;
  private readonly tty: boolean;

  constructor(
    private readonly io: Io,
    private readonly options: ProgressOptions,
  ) {
    this.started = io.now();
    this.tty = io.stderr.isTTY === true;
  }

  /** The same store, whose reads advance the progress. */
  watch(store: EventStore): EventStore {
    const readAll: EventStore['readAll'] = async (from, limit) => {
      const events = await store.readAll(from, limit);
      this.done += events.length;
      return events;
    };
    return new Proxy(store, {
      get: (target, key, receiver) =>
        key === 'readAll' ? readAll : (Reflect.get(target, key, receiver) as unknown),
    });
  }

  start(): void {
    const every = this.tty
      ? (this.options.ttyEveryMs ?? 250)
      : (this.options.plainEveryMs ?? 5_000);
    this.timer = setInterval(() => this.report(), every);
    this.timer.unref();
  }

  /** Clears the progress line (once; later calls do nothing). */
  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.tty) this.io.stderr.write('\r\x1b[2K');
  }

  line(): string {
    const total = this.options.total;
    const done = this.done > total ? total : this.done;
    const seconds = (this.io.now() - this.started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const percent = total > 0 ? Math.floor((done * 100) / total) : 100;
    const eta = rate > 0 ? `ETA ${formatSeconds((total - done) / rate)}` : 'ETA unknown';
    return `rebuild: ${done}/${total} events (${percent}%), ${Math.round(rate)} events/s, ${eta}`;
  }

  report(): void {
    if (this.tty) this.io.stderr.write(`\r\x1b[2K${this.line()}`);
    else this.io.stderr.write(`${this.line()}\n`);
  }
}

function formatSeconds(s: number): string {
  const whole = Math.ceil(s);
  if (whole < 60) return `${whole}s`;
  const m = Math.floor(whole / 60);
  return m < 60
    ? `${m}m${String(whole % 60).padStart(2, '0')}s`
    : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
