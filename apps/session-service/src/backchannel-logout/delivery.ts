import { backoffDelay } from '@idp/contracts';
import type { RetrySchedule } from './retry-schedule';

/**
 * One back-channel logout delivery: a (sid, client) pair, the logout token's
 * fixed jti, and where it stands. The delivery table is its only state.
 */
export type DeliveryStatus = 'pending' | 'delivered' | 'dead_lettered';

export interface DeliveryKey {
  readonly sid: string;
  readonly clientId: string;
}

export interface NewDelivery extends DeliveryKey {
  readonly sub: string;
  /** Fixed when scheduled: every attempt (and an admin retry) resends the same jti. */
  readonly jti: string;
  readonly uri: string;
  /** The client's ID-token alg; its logout tokens use the same. */
  readonly alg: string;
  /** The request (the logout) that scheduled it: its attempts log under this id. Absent on older rows. */
  readonly requestId?: string;
  /** That request's W3C traceparent, sent on every POST to the RP. */
  readonly traceparent?: string;
}

export interface Delivery extends NewDelivery {
  readonly status: DeliveryStatus;
  /** Attempts made so far. */
  readonly attempts: number;
  /** Epoch ms. */
  readonly nextAttemptAt: number;
  readonly lastError: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** What one POST came to. */
export type AttemptResult =
  | { readonly ok: true; readonly status: number }
  | {
      readonly ok: false;
      readonly error: string;
      /**
       * Retrying cannot help (the outbound policy refuses the RP's address,
       * the URI does not parse): dead-letter at once, so the admin API shows
       * why now and not after the whole back-off.
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

export const MAX_ERROR_LENGTH = 500;

/**
 * The delivery state machine: pending → delivered on a 2xx; pending →
 * pending (retry after the back-off) on anything else while attempts remain;
 * pending → dead_lettered on the last one, or at once on a permanent failure
 * (a refused target). Only an admin retry leaves
 * dead_lettered (back to pending, attempts reset); delivered is final.
 */
export function afterAttempt(
  delivery: Pick<Delivery, 'attempts'>,
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
    // Jittered: the deliveries of one fan-out that failed together (an RP that
    // was down for all of them) do not come back in one burst.
    nextAttemptAt:
      now + backoffDelay(attempt, { initialMs: schedule.baseMs, maxMs: schedule.capMs }, random),
  };
}

/**
 * OIDC Back-Channel Logout 1.0 section 2.8: the RP answers 200 (we accept any
 * 2xx). Redirects are not followed (a logout token must reach the registered
 * URI and nothing else), so a 3xx is a failed attempt like a 5xx.
 */
export function resultOfStatus(status: number): AttemptResult {
  if (status >= 200 && status < 300) return { ok: true, status };
  if (status >= 300 && status < 400)
    return { ok: false, error: `HTTP ${status} (redirects are not followed)` };
  return { ok: false, error: `HTTP ${status}` };
}
