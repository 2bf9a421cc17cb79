import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from '@idp/crypto';
import { afterAttempt, type AttemptResult, type Transition } from './attempt';
import type { RetrySchedule } from './retry-schedule';

/** What the dispatcher needs of a queued delivery: the state machine counts its attempts. */
export interface QueuedDelivery {
  readonly attempts: number;
}

/** One attempt's outcome with the delivery it belongs to (for the store, the event log, metrics). */
export interface DeliveryOutcome<D> {
  readonly delivery: D;
  readonly transition: Transition;
}

/** Which step failed, for {@link LeasedQueuePorts.onError}; each queue words it for its log. */
export type DispatchStep = 'claim' | 'prepare' | 'sign' | 'send' | 'release' | 'record';

/** An outcome as the store records it: the delivery's key and its transition. */
export type RecordedOutcome<K> = K & { readonly transition: Transition };

/**
 * The queue's table, as the dispatcher uses it. Several replicas share it:
 * a delivery is claimed with a lease (owner + expiry), and recorded or
 * released only by the owner that still holds it. Times are epoch ms.
 */
export interface LeasedStore<D, K> {
  /**
   * Leases up to `limit` due deliveries to `owner` until `now + leaseMs`,
   * most overdue first; a delivery leased to another owner is never returned.
   */
  claimDue(limit: number, now: number, leaseMs: number, owner: string): Promise<readonly D[]>;
  /** When the earliest claimable delivery falls due (its lease's end if later); undefined if none. */
  nextDueAt(): Promise<number | undefined>;
  /** Applies the outcomes of deliveries `owner` still holds. */
  record(outcomes: readonly RecordedOutcome<K>[], now: number, owner: string): Promise<unknown>;
  /** Gives deliveries back without counting an attempt: due again at `dueAt`. */
  release(keys: readonly K[], dueAt: number, owner: string): Promise<void>;
}

/**
 * What a leased queue plugs into the dispatcher. `K` is a delivery's key in
 * the store; `Context` is whatever the sends of one claim share, looked up
 * once per claim (the SET queue: the claimed SETs' streams); a queue that
 * needs nothing uses `undefined`.
 */
export interface LeasedQueuePorts<D extends QueuedDelivery, K, Context> {
  readonly store: LeasedStore<D, K>;
  readonly keyOf: (delivery: D) => K;
  /** Once per claim, before anything is signed; if it fails, the whole claim is given back. */
  readonly prepare: (claimed: readonly D[]) => Promise<Context>;
  /** Signs in order, one string per delivery (token-service holds the keys). */
  readonly sign: (batch: readonly D[]) => Promise<readonly string[]>;
  /** One attempt, bounded by its own deadline; the result says how it went (it does not throw). */
  readonly send: (delivery: D, signed: string, context: Context) => Promise<AttemptResult>;
  /**
   * Runs before the store records the outcomes (an event log: a crash in
   * between repeats an entry, it never loses one).
   */
  readonly journal?: (outcomes: readonly DeliveryOutcome<D>[]) => Promise<void>;
  /** After the store recorded them (metrics). */
  readonly onRecorded?: (outcomes: readonly DeliveryOutcome<D>[]) => void;
  readonly onError?: (step: DispatchStep, err: unknown) => void;
  readonly now?: () => number;
  readonly random?: () => number;
}

export interface LeasedDispatcherOptions {
  /** Attempts in flight at once: the fixed number of slots. */
  readonly concurrency: number;
  /** One attempt's deadline; the lease covers it with a margin. */
  readonly timeoutMs: number;
  /** Longest idle sleep. */
  readonly pollMs: number;
  readonly schedule: RetrySchedule;
  /** Deliveries per signing call (default 100). */
  readonly signBatch?: number;
  /** Outcomes are recorded in batches: at this many (default 200), or after `flushMs` (default 25). */
  readonly flushSize?: number;
  readonly flushMs?: number;
}

/**
 * Drains a leased delivery queue (ADR 0011, ADR 0039). A fixed number of
 * slots (`concurrency`): whenever enough are free it claims that many due
 * deliveries (leased, so replicas never share one), signs them in batches,
 * and starts each attempt on its own, so a slow or dead target holds its own
 * slot until its deadline and nothing else. Outcomes go through the retry
 * schedule and are recorded in batches. Idle, it sleeps until the next
 * delivery falls due, at most `pollMs`, or until {@link wake}.
 */
export class LeasedDispatcher<D extends QueuedDelivery, K, Context = undefined> {
  /** Identifies this process's leases; a restarted process is a new owner. */
  readonly owner = randomUUID();
  /**
   * Long enough for signing and the attempt's deadline, short enough that a
   * crashed replica's deliveries are picked up again soon after.
   */
  readonly leaseMs: number;
  private inFlight = 0;
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private wakeRequested = false;
  private wakeSleeper: (() => void) | undefined;
  private pending: DeliveryOutcome<D>[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  private readonly signBatch: number;
  private readonly flushSize: number;
  private readonly flushMs: number;
  /** Claim when at least this many slots are free: fewer, larger claims under load. */
  private readonly claimThreshold: number;

  constructor(
    private readonly ports: LeasedQueuePorts<D, K, Context>,
    private readonly options: LeasedDispatcherOptions,
  ) {
    this.now = ports.now ?? Date.now;
    this.signBatch = options.signBatch ?? 100;
    this.flushSize = options.flushSize ?? 200;
    this.flushMs = options.flushMs ?? 25;
    this.claimThreshold = Math.max(1, Math.floor(options.concurrency / 8));
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

  /** Something became due (new deliveries, an admin retry): look now. */
  wake(): void {
    this.wakeRequested = true;
    this.wakeSleeper?.();
  }

  /** Slots taken by claimed deliveries not yet attempted or still in flight. */
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
            await this.launch(claimed);
            continue;
          }
          const due = await this.ports.store.nextDueAt();
          if (due !== undefined) waitMs = Math.min(waitMs, Math.max(0, due - this.now()));
        } catch (err) {
          this.ports.onError?.('claim', err);
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

  /** Takes the claim's slots, then signs and sends it batch by batch without waiting for the sends. */
  private async launch(claimed: readonly D[]): Promise<void> {
    this.inFlight += claimed.length;
    let context: Context;
    try {
      context = await this.ports.prepare(claimed);
    } catch (err) {
      this.ports.onError?.('prepare', err);
      await this.giveBack(claimed);
      return;
    }
    for (let i = 0; i < claimed.length; i += this.signBatch)
      void this.signAndSend(claimed.slice(i, i + this.signBatch), context);
  }

  /** Our failure, not the target's: no attempt is counted; due again after the base delay. */
  private async giveBack(batch: readonly D[]): Promise<void> {
    await this.ports.store
      .release(
        batch.map((d) => this.ports.keyOf(d)),
        this.now() + this.options.schedule.baseMs,
        this.owner,
      )
      .catch((e: unknown) => this.ports.onError?.('release', e));
    this.freeSlots(batch.length);
  }

  private async signAndSend(batch: readonly D[], context: Context): Promise<void> {
    let signed: readonly string[];
    try {
      signed = await this.ports.sign(batch);
      if (signed.length !== batch.length) throw new Error('signer returned a different count');
    } catch (err) {
      this.ports.onError?.('sign', err);
      await this.giveBack(batch);
      return;
    }
    batch.forEach((delivery, i) => void this.attempt(delivery, signed[i]!, context));
  }

  private async attempt(delivery: D, signed: string, context: Context): Promise<void> {
    // Nobody awaits an attempt: a sender that throws (a bug, not the target's answer) would be an
    // unhandled rejection that ends the process and a slot never freed. It counts as a failed
    // attempt instead, so a row that always throws reaches the dead letters rather than looping.
    const result: AttemptResult = await this.ports
      .send(delivery, signed, context)
      .catch((err: unknown) => {
        this.ports.onError?.('send', err);
        return { ok: false, error: 'the sender failed (see the service log)' };
      });
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
      await this.ports.journal?.(batch);
      const recorded = batch.map(({ delivery, transition }) => ({
        ...this.ports.keyOf(delivery),
        transition,
      }));
      await this.ports.store.record(recorded, this.now(), this.owner);
      this.ports.onRecorded?.(batch);
    } catch (err) {
      this.ports.onError?.('record', err);
      this.pending.unshift(...batch);
      this.flushTimer ??= setTimeout(() => void this.flush(), this.options.pollMs);
    }
  }
}
