/**
 * How long to wait before retrying after consecutive failures: the one
 * back-off of every retry loop (the bus's deliveries and reconnects, the
 * outbox relay, the back-channel deliveries). It lives here because every
 * package that retries already depends on contracts.
 */
export interface BackoffOptions {
  /** Delay after the first failure. */
  readonly initialMs: number;
  /** Ceiling, so a long outage is still retried at a steady pace. */
  readonly maxMs: number;
  /**
   * `equal` (the default): half of the delay is fixed, half random, so peers
   * that failed together do not retry in lockstep, yet never sooner than half
   * the nominal delay. `none`: exactly the nominal delay, where a single
   * retrier waits on its own failure (one message's redelivery).
   */
  readonly jitter?: 'equal' | 'none';
}

/**
 * Exponential: initial, 2×initial, 4×initial… capped at max. `failures`
 * counts from 1; 0 is treated as 1, and the exponent is bounded so a long
 * outage never overflows.
 */
export function backoffDelay(
  failures: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 30);
  const nominal = Math.min(options.maxMs, options.initialMs * 2 ** exponent);
  if (options.jitter === 'none') return nominal;
  return Math.round(nominal / 2 + (random() * nominal) / 2);
}
