/**
 * How failed attempts of one key (a username, a client IP) are slowed down:
 * `freeFailures` without delay, then a delay that starts at `delayMs` and
 * doubles per failure up to `maxDelayMs`; `lockFailures` failures (0 = never)
 * lock the key for `lockMs`. A key is forgotten `windowMs` after its last
 * attempt. Passed on every call, so one store serves many policies.
 */
export interface ThrottlePolicy {
  readonly freeFailures: number;
  readonly delayMs: number;
  readonly maxDelayMs: number;
  readonly lockFailures: number;
  readonly lockMs: number;
  readonly windowMs: number;
}

export type AttemptVerdict =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      /** How long until an attempt may be made again. */
      readonly retryAfterMs: number;
      readonly locked: boolean;
    };

/**
 * Throttling of failed attempts (ADR 0016). `begin` counts an attempt as a
 * failure before it is made, atomically, so concurrent attempts cannot all
 * slip through before the first failure is recorded; a success takes it
 * back (`clear` or `refund`). Redis in the distributed mode (every replica
 * sees one count), memory in the embedded mode; one contract suite.
 */
export interface AttemptThrottle {
  /** Refuses while the key waits out a delay or a lock; else counts the attempt. */
  begin(key: string, policy: ThrottlePolicy): Promise<AttemptVerdict>;
  /**
   * The attempt failed. Locks the key when its failures reached
   * `lockFailures`; answers the lock's end (epoch ms) when this call locked
   * it, else undefined.
   */
  fail(key: string, policy: ThrottlePolicy): Promise<number | undefined>;
  /** Forgets the key: its failures, delay and lock (a correct password; an admin unlock). True if it was locked. */
  clear(key: string): Promise<boolean>;
  /**
   * Takes back one counted attempt (a success that must not clear the key,
   * e.g. an IP's), and its delay when the count is back within the free ones.
   */
  refund(key: string, policy: ThrottlePolicy): Promise<void>;
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

export const ATTEMPT_THROTTLE = Symbol('AttemptThrottle');
