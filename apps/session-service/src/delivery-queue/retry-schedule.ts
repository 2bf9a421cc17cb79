export interface RetrySchedule {
  /** Delay after the first failed attempt, ms. */
  readonly baseMs: number;
  /** Longest delay, ms: a long outage is still retried at a steady pace. */
  readonly capMs: number;
  /** Attempts before a delivery is dead-lettered. */
  readonly maxAttempts: number;
}
