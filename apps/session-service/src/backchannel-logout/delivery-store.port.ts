import type { Delivery, DeliveryKey, NewDelivery, Transition } from './delivery';

/** Nest injection token for the {@link DeliveryStore} port. */
export const DELIVERY_STORE = Symbol('BackchannelDeliveryStore');

/** An attempt's transition for one claimed delivery, applied only while the claimer holds it. */
export interface RecordedTransition extends DeliveryKey {
  readonly transition: Transition;
}

export interface DeadLetterPage {
  readonly limit: number;
  /** Keyset paging: only deliveries after this (sid, clientId), in that order. */
  readonly after?: DeliveryKey;
}

export type RetryResult =
  | { readonly kind: 'requeued'; readonly delivery: Delivery }
  | { readonly kind: 'not_found' }
  | { readonly kind: 'not_dead_lettered'; readonly delivery: Delivery };

/**
 * The back-channel logout delivery queue: one row per (sid, client_id),
 * owned by session-service. Several replicas may share it: a delivery is
 * claimed with a lease (owner + expiry), so each due delivery is attempted
 * by one replica at a time, and a replica that dies mid-attempt only holds
 * its deliveries until the lease runs out. Times are epoch milliseconds and
 * always come from the caller (tests drive the clock).
 */
export interface DeliveryStore {
  /**
   * Inserts the deliveries that do not exist yet, due at `now`, and returns
   * exactly those (so a redelivered session.ended schedules nothing twice).
   */
  schedule(deliveries: readonly NewDelivery[], now: number): Promise<Delivery[]>;
  /**
   * Leases up to `limit` pending deliveries that are due at `now` and not
   * leased (or whose lease ran out) to `owner` until `now + leaseMs`, most
   * overdue first.
   */
  claimDue(limit: number, now: number, leaseMs: number, owner: string): Promise<Delivery[]>;
  /** Applies attempt outcomes of deliveries `owner` still holds; returns how many applied. */
  record(outcomes: readonly RecordedTransition[], now: number, owner: string): Promise<number>;
  /** Gives deliveries back without counting an attempt (we could not sign): due again at `dueAt`. */
  release(keys: readonly DeliveryKey[], dueAt: number, owner: string): Promise<void>;
  /** When the earliest pending delivery falls due (its lease's end if later); undefined if none. */
  nextDueAt(): Promise<number | undefined>;
  get(key: DeliveryKey): Promise<Delivery | undefined>;
  deadLetters(page: DeadLetterPage): Promise<Delivery[]>;
  /** A dead letter back to pending: attempts 0, due at `now`, same jti. */
  retry(key: DeliveryKey, now: number): Promise<RetryResult>;
  /** How many deliveries are pending and how many dead-lettered, now (for metrics). */
  counts(): Promise<{ readonly pending: number; readonly deadLettered: number }>;
  /**
   * Deletes up to `limit` delivered rows last updated before `before` and
   * returns how many; pending and dead-lettered rows are never pruned.
   */
  pruneDelivered(before: number, limit: number): Promise<number>;
  close(): Promise<void>;
}
