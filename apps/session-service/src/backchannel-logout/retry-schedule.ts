export interface RetrySchedule {
  /** Delay after the first failed attempt, ms. */
  readonly baseMs: number;
  /** Longest delay, ms: a long outage is still retried at a steady pace. */
  readonly capMs: number;
  /** Attempts before a delivery is dead-lettered. */
  readonly maxAttempts: number;
}

/**
 * Delay before the next attempt after `failedAttempts` failures: exponential
 * (base, 2×base, 4×base… up to cap) with "equal jitter": half fixed, half
 * random, so the deliveries of one fan-out that failed together (an RP that
 * was down for all of them) do not come back in one burst, yet never sooner
 * than half the nominal delay.
 */
export function retryDelayMs(
  failedAttempts: number,
  schedule: Pick<RetrySchedule, 'baseMs' | 'capMs'>,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(failedAttempts - 1, 0), 30);
  const nominal = Math.min(schedule.capMs, schedule.baseMs * 2 ** exponent);
  return Math.round(nominal / 2 + (random() * nominal) / 2);
}
