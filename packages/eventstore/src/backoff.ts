export interface BackoffOptions {
  /** Delay after the first failure. */
  readonly initialMs: number;
  /** Ceiling, so a long outage is still retried at a steady pace. */
  readonly maxMs: number;
}

/**
 * Exponential back-off with "equal jitter": half of the delay is fixed, half
 * random, so relays that failed together do not retry in lockstep, yet never
 * retry sooner than half the nominal delay.
 */
export function backoffDelay(
  failures: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 30);
  const nominal = Math.min(options.maxMs, options.initialMs * 2 ** exponent);
  return Math.round(nominal / 2 + (random() * nominal) / 2);
}
