import type { AttemptResult } from '../delivery-queue/attempt';

// The attempt's outcome and the state machine are the queue's (shared with the
// Shared Signals SET queue); re-exported because they are part of a delivery's vocabulary here.
export {
  afterAttempt,
  MAX_ERROR_LENGTH,
  type AttemptResult,
  type Transition,
} from '../delivery-queue/attempt';

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
