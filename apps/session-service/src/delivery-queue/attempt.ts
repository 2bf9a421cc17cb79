import { backoffDelay } from '@idp/contracts';
import type { RetrySchedule } from './retry-schedule';

/** What one attempt (a POST to an RP, a push to a receiver) came to. */
export type AttemptResult =
  | { readonly ok: true; readonly status: number }
  | {
      readonly ok: false;
      readonly error: string;
      /**
       * Retrying cannot help (the outbound policy refuses the target's
       * address, the URI does not parse, the receiver refused the SET for
       * good): dead-letter at once, so the admin API shows why now and not
       * after the whole back-off.
       */
      readonly permanent?: boolean;
    };

/** The state change an attempt causes; the store applies it, the event log records it. */
export type Transition =
  | { readonly kind: 'delivered'; readonly attempt: number; readonly status: number }
  | {
      readonly kind: 'retry';
      readonly attempt: number;
      readonly error: string;
      readonly nextAttemptAt: number;
    }
  | { readonly kind: 'dead_lettered'; readonly attempt: number; readonly error: string };

/** Longest `last_error` kept: an error text comes from the far side and could be anything. */
export const MAX_ERROR_LENGTH = 500;

/**
 * The state machine of every leased delivery queue: pending → delivered when
 * the attempt succeeded; pending → pending (retry after the back-off) on
 * anything else while attempts remain; pending → dead_lettered on the last
 * one, or at once on a permanent failure (a refused target). Only an admin
 * retry leaves dead_lettered (back to pending, attempts reset); delivered is
 * final.
 */
export function afterAttempt(
  delivery: { readonly attempts: number },
  result: AttemptResult,
  schedule: RetrySchedule,
  now: number,
  random: () => number = Math.random,
): Transition {
  const attempt = delivery.attempts + 1;
  if (result.ok) return { kind: 'delivered', attempt, status: result.status };
  const error = result.error.slice(0, MAX_ERROR_LENGTH);
  if (result.permanent || attempt >= schedule.maxAttempts)
    return { kind: 'dead_lettered', attempt, error };
  return {
    kind: 'retry',
    attempt,
    error,
    // Jittered: the deliveries of one fan-out that failed together (a target
    // that was down for all of them) do not come back in one burst.
    nextAttemptAt:
      now + backoffDelay(attempt, { initialMs: schedule.baseMs, maxMs: schedule.capMs }, random),
  };
}
