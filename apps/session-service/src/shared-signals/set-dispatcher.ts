import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from '@idp/crypto';
import { afterAttempt } from '../backchannel-logout/delivery';
import type { RetrySchedule } from '../backchannel-logout/retry-schedule';
import type { AttemptResult, SetDelivery, SetDeliveryKey, Transition } from './set-delivery';
import type { RecordedSetTransition, SsfStore, StreamRow } from './ssf-store.port';

/** Where one push goes: the stream's endpoint and the receiver's Authorization header, if any. */
export interface PushTarget {
  readonly endpointUrl: string;
  readonly authorization?: string;
}

/** Sends one SET to one receiver (RFC 8935); a port so the dispatcher is tested without sockets. */
export type SetPoster = (target: PushTarget, set: string) => Promise<AttemptResult>;

/** One attempt's outcome with its delivery (metrics). */
export interface SetAttemptOutcome {
  readonly delivery: SetDelivery;
  readonly transition: Transition;
}

export interface SetDispatcherPorts {
  readonly store: SsfStore;
  /** Signs in order (token-service's signSecurityEvents). */
  readonly sign: (deliveries: readonly SetDelivery[]) => Promise<string[]>;
  readonly post: SetPoster;
  /** The receiver's Authorization header from its sealed form; undefined if it does not open. */
  readonly openAuthorization: (streamId: string, sealed: string) => string | undefined;
  readonly onRecorded?: (outcomes: readonly SetAttemptOutcome[]) => void;
  readonly onError?: (what: string, err: unknown) => void;
  readonly now?: () => number;
  readonly random?: () => number;
}

export interface SetDispatcherOptions {
  /** Pushes in flight at once. */
  readonly concurrency: number;
  /** Per-receiver deadline; the lease covers it with a margin. */
  readonly timeoutMs: number;
  readonly pollMs: number;
  readonly schedule: RetrySchedule;
  /** SETs per signing call. */
  readonly signBatch?: number;
  readonly flushSize?: number;
  readonly flushMs?: number;
}

/**
 * Pushes due SETs (RFC 8935), the back-channel dispatcher's design (ADR
 * 0011) over the SET queue: a fixed number of slots; whenever enough are
 * free it claims that many due deliveries of enabled push streams (leased,
 * so replicas never share one), signs them in batches, and starts each push
 * on its own, so a slow receiver holds its own slot until its deadline and
 * nothing else. Outcomes are recorded in batches. Idle, it sleeps until the
 * next delivery falls due, at most `pollMs`, or until {@link wake}.
 */
export class SetDispatcher {
  /** Identifies this process's leases; a restarted process is a new owner. */
  readonly owner = randomUUID();
  private inFlight = 0;
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private wakeRequested = false;
  private wakeSleeper: (() => void) | undefined;
  private pending: SetAttemptOutcome[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  private readonly signBatch: number;
  private readonly flushSize: number;
  private readonly flushMs: number;
  private readonly claimThreshold: number;
  readonly leaseMs: number;

  constructor(
    private readonly ports: SetDispatcherPorts,
    private readonly options: SetDispatcherOptions,
  ) {
    this.now = ports.now ?? Date.now;
    this.signBatch = options.signBatch ?? 100;
    this.flushSize = options.flushSize ?? 200;
    this.flushMs = options.flushMs ?? 20;
    this.claimThreshold = Math.max(1, Math.floor(options.concurrency / 8));
    this.leaseMs = 2 * options.timeoutMs + 10_000;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  /** Stops claiming, lets in-flight pushes finish (each bounded by the timeout) and records them. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loopDone;
    while (this.inFlight > 0) await sleep(10);
    await this.flush();
  }

  /** Something became due (SETs were scheduled, a stream enabled, an admin retry): look now. */
  wake(): void {
    this.wakeRequested = true;
    this.wakeSleeper?.();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      this.wakeRequested = false;
      const free = this.options.concurrency - this.inFlight;
      let waitMs = this.options.pollMs;
      if (free >= this.claimThreshold || (free > 0 && this.inFlight === 0)) {
        try {
          const claimed = await this.ports.store.claimDue(
            free,
            this.now(),
            this.leaseMs,
            this.owner,
          );
          if (claimed.length > 0) {
            await this.launch(claimed);
            continue;
          }
          const due = await this.ports.store.nextDueAt();
          if (due !== undefined) waitMs = Math.min(waitMs, Math.max(0, due - this.now()));
        } catch (err) {
          this.ports.onError?.('claiming due SET deliveries', err);
        }
      }
      if (!this.wakeRequested && this.running) await this.sleep(waitMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeSleeper = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeSleeper = done;
    });
  }

  private async launch(claimed: readonly SetDelivery[]): Promise<void> {
    this.inFlight += claimed.length;
    let streams: Map<string, StreamRow>;
    try {
      const ids = [...new Set(claimed.map((d) => d.streamId))];
      streams = new Map((await this.ports.store.streamsById(ids)).map((s) => [s.streamId, s]));
    } catch (err) {
      this.ports.onError?.('reading the streams of claimed SETs', err);
      await this.giveBack(claimed);
      return;
    }
    for (let i = 0; i < claimed.length; i += this.signBatch)
      void this.signAndSend(claimed.slice(i, i + this.signBatch), streams);
  }

  /** Our failure, not the receiver's: no attempt is counted; due again after the base delay. */
  private async giveBack(batch: readonly SetDelivery[]): Promise<void> {
    const keys: SetDeliveryKey[] = batch.map(({ streamId, jti }) => ({ streamId, jti }));
    await this.ports.store
      .release(keys, this.now() + this.options.schedule.baseMs, this.owner)
      .catch((e: unknown) => this.ports.onError?.('releasing SET deliveries', e));
    this.freeSlots(batch.length);
  }

  private async signAndSend(
    batch: readonly SetDelivery[],
    streams: ReadonlyMap<string, StreamRow>,
  ): Promise<void> {
    let sets: string[];
    try {
      sets = await this.ports.sign(batch);
      if (sets.length !== batch.length) throw new Error('signer returned a different count');
    } catch (err) {
      this.ports.onError?.('signing SETs', err);
      await this.giveBack(batch);
      return;
    }
    batch.forEach(
      (delivery, i) => void this.attempt(delivery, sets[i]!, streams.get(delivery.streamId)),
    );
  }

  private async attempt(delivery: SetDelivery, set: string, stream: StreamRow | undefined) {
    const result = await this.push(delivery, set, stream);
    const transition = afterAttempt(
      delivery,
      result,
      this.options.schedule,
      this.now(),
      this.ports.random,
    );
    this.pending.push({ delivery, transition });
    this.freeSlots(1);
    if (this.pending.length >= this.flushSize) void this.flush();
    else this.flushTimer ??= setTimeout(() => void this.flush(), this.flushMs);
  }

  private async push(
    delivery: SetDelivery,
    set: string,
    stream: StreamRow | undefined,
  ): Promise<AttemptResult> {
    if (stream?.method !== 'push' || stream.endpointUrl === undefined)
      // Changed to poll (or gone) since it was scheduled: nothing to push to.
      return { ok: false, error: 'the stream no longer has a push endpoint', permanent: true };
    let authorization: string | undefined;
    if (stream.sealedAuthorization !== undefined) {
      authorization = this.ports.openAuthorization(stream.streamId, stream.sealedAuthorization);
      if (authorization === undefined)
        return {
          ok: false,
          error: 'the authorization_header does not open (KEY_ENCRYPTION_KEY changed?)',
          permanent: true,
        };
    }
    return this.ports.post(
      {
        endpointUrl: stream.endpointUrl,
        ...(authorization === undefined ? {} : { authorization }),
      },
      set,
    );
  }

  private freeSlots(n: number): void {
    this.inFlight -= n;
    this.wakeSleeper?.();
  }

  private flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.flushOnce());
    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    try {
      const recorded: RecordedSetTransition[] = batch.map(({ delivery, transition }) => ({
        streamId: delivery.streamId,
        jti: delivery.jti,
        transition,
      }));
      await this.ports.store.record(recorded, this.now(), this.owner);
      this.ports.onRecorded?.(batch);
    } catch (err) {
      this.ports.onError?.('recording SET delivery outcomes', err);
      this.pending.unshift(...batch);
      this.flushTimer ??= setTimeout(() => void this.flush(), this.options.pollMs);
    }
  }
}
