import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from '@idp/crypto';
import { afterAttempt, type Delivery, type DeliveryKey, type Transition } from './delivery';
import { postInSpan } from './delivery-span';
import type { DeliveryStore, RecordedTransition } from './delivery-store.port';
import type { LogoutTokenPoster } from './logout-token-poster';
import type { RetrySchedule } from './retry-schedule';

export interface LogoutTokenToSign {
  readonly aud: string;
  readonly sub: string;
  readonly sid: string;
  readonly jti: string;
  readonly alg: string;
}

/** One attempt's outcome with the delivery it belongs to (for the event log and metrics). */
export interface AttemptOutcome {
  readonly delivery: Delivery;
  readonly transition: Transition;
}

export interface DispatcherPorts {
  readonly store: DeliveryStore;
  /** Signs in order (token-service's signLogoutTokens). */
  readonly sign: (tokens: readonly LogoutTokenToSign[]) => Promise<string[]>;
  readonly post: LogoutTokenPoster;
  /** Appends the outcomes to the event log; runs before the store records them. */
  readonly journal: (outcomes: readonly AttemptOutcome[]) => Promise<void>;
  /** After the store recorded them (metrics). */
  readonly onRecorded?: (outcomes: readonly AttemptOutcome[]) => void;
  readonly onError?: (what: string, err: unknown) => void;
  readonly now?: () => number;
  readonly random?: () => number;
}

export interface DispatcherOptions {
  /** POSTs in flight at once. */
  readonly concurrency: number;
  /** Per-RP deadline; the lease covers it with a margin. */
  readonly timeoutMs: number;
  readonly pollMs: number;
  readonly schedule: RetrySchedule;
  /** Tokens per signing call. */
  readonly signBatch?: number;
  /** Outcomes are recorded in batches: at this many, or after `flushMs`. */
  readonly flushSize?: number;
  readonly flushMs?: number;
}

/**
 * Delivers due back-channel logout tokens. A fixed number of slots
 * (`concurrency`): whenever enough are free it claims that many due
 * deliveries (leased, so replicas never share one), signs their tokens in one
 * call, and starts each POST on its own, so a slow or dead RP holds its own
 * slot until its deadline and nothing else. Outcomes are journalled and
 * recorded in batches. Idle, it sleeps until the next delivery falls due,
 * at most `pollMs`, or until {@link wake} (a new fan-out was scheduled).
 */
export class BackchannelDispatcher {
  /** Identifies this process's leases; a restarted process is a new owner. */
  readonly owner = randomUUID();
  private inFlight = 0;
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private wakeRequested = false;
  private wakeSleeper: (() => void) | undefined;
  private pending: AttemptOutcome[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  private readonly signBatch: number;
  private readonly flushSize: number;
  private readonly flushMs: number;
  /** Claim when at least this many slots are free: fewer, larger claims under load. */
  private readonly claimThreshold: number;
  readonly leaseMs: number;

  constructor(
    private readonly ports: DispatcherPorts,
    private readonly options: DispatcherOptions,
  ) {
    this.now = ports.now ?? Date.now;
    this.signBatch = options.signBatch ?? 100;
    this.flushSize = options.flushSize ?? 200;
    this.flushMs = options.flushMs ?? 25;
    this.claimThreshold = Math.max(1, Math.floor(options.concurrency / 8));
    // Long enough for signing and the POST's deadline, short enough that a
    // crashed replica's deliveries are picked up again soon after.
    this.leaseMs = 2 * options.timeoutMs + 10_000;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  /** Stops claiming, lets in-flight attempts finish (each is bounded by the timeout) and records them. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loopDone;
    while (this.inFlight > 0) await sleep(10);
    await this.flush();
  }

  /** Something became due (a fan-out was scheduled, an admin retry): look now. */
  wake(): void {
    this.wakeRequested = true;
    this.wakeSleeper?.();
  }

  get busySlots(): number {
    return this.inFlight;
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
            this.launch(claimed);
            continue;
          }
          const due = await this.ports.store.nextDueAt();
          if (due !== undefined) waitMs = Math.min(waitMs, Math.max(0, due - this.now()));
        } catch (err) {
          this.ports.onError?.('claiming due deliveries', err);
        }
      }
      if (this.wakeRequested || !this.running) continue;
      if (waitMs > 0) await this.idle(waitMs);
    }
  }

  /** Sleeps up to `ms`; a wake() or a freed slot ends it early. */
  private idle(ms: number): Promise<void> {
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

  private launch(claimed: readonly Delivery[]): void {
    this.inFlight += claimed.length;
    for (let i = 0; i < claimed.length; i += this.signBatch) {
      void this.signAndSend(claimed.slice(i, i + this.signBatch));
    }
  }

  private async signAndSend(batch: readonly Delivery[]): Promise<void> {
    let tokens: string[];
    try {
      tokens = await this.ports.sign(
        batch.map((d) => ({ aud: d.clientId, sub: d.sub, sid: d.sid, jti: d.jti, alg: d.alg })),
      );
      if (tokens.length !== batch.length) throw new Error('signer returned a different count');
    } catch (err) {
      // Our failure, not the RP's: no attempt is counted; try again after the base delay.
      this.ports.onError?.('signing logout tokens', err);
      const keys: DeliveryKey[] = batch.map(({ sid, clientId }) => ({ sid, clientId }));
      await this.ports.store
        .release(keys, this.now() + this.options.schedule.baseMs, this.owner)
        .catch((e: unknown) => this.ports.onError?.('releasing deliveries', e));
      this.freeSlots(batch.length);
      return;
    }
    batch.forEach((delivery, i) => void this.attempt(delivery, tokens[i]!));
  }

  private async attempt(delivery: Delivery, token: string): Promise<void> {
    // In the context of the logout that scheduled it: its log lines and the POST's traceparent.
    const result = await postInSpan(delivery, () => this.ports.post(delivery.uri, token));
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

  private freeSlots(n: number): void {
    this.inFlight -= n;
    this.wakeSleeper?.();
  }

  /** One flush at a time; a failed one keeps its outcomes for the next (their leases still hold them). */
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
      // Journal first: a crash in between repeats an event, it never loses one.
      await this.ports.journal(batch);
      const recorded: RecordedTransition[] = batch.map(({ delivery, transition }) => ({
        sid: delivery.sid,
        clientId: delivery.clientId,
        transition,
      }));
      await this.ports.store.record(recorded, this.now(), this.owner);
      this.ports.onRecorded?.(batch);
    } catch (err) {
      this.ports.onError?.('recording delivery outcomes', err);
      this.pending.unshift(...batch);
      this.flushTimer ??= setTimeout(() => void this.flush(), this.options.pollMs);
    }
  }
}
