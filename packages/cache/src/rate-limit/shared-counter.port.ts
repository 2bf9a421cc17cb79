export interface CounterAdd {
  readonly key: string;
  /** 0 reads the total without changing it. */
  readonly delta: number;
}

/**
 * Monotonic counters every replica adds to (ADR 0016): the rate limiter's
 * way of learning what the other replicas let through. Called in batches, a
 * few times a second per replica, never per request. Redis in the
 * distributed mode, memory in the embedded mode; one contract suite.
 */
export interface SharedCounter {
  /**
   * Adds each delta to its key's total and answers the totals, in the
   * order given. A key is forgotten `ttlMs` after its last add.
   */
  add(entries: readonly CounterAdd[], ttlMs: number): Promise<number[]>;
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

export const SHARED_COUNTER = Symbol('SharedCounter');
