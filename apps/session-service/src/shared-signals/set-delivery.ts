import type { AttemptResult, Transition } from '../backchannel-logout/delivery';

/**
 * One SET for one stream: a row of `ssf_deliveries`, keyed by (streamId,
 * jti). The SET's claims are fixed when it is scheduled and the SET is
 * signed at each attempt (token-service holds the keys), so every retry, and
 * every poll of a poll stream, sends the same jti, iat and payload.
 */
export type SetDeliveryStatus = 'pending' | 'delivered' | 'dead_lettered';
export type SetDeliveryMethod = 'push' | 'poll';

export interface SetDeliveryKey {
  readonly streamId: string;
  readonly jti: string;
}

/** The claims of the SET besides iss (token-service's) and aud and jti (the row's). */
export interface SetClaims {
  /** Seconds since the epoch. */
  readonly iat: number;
  readonly txn?: string;
  readonly subId: Readonly<Record<string, unknown>>;
  readonly events: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export interface NewSetDelivery extends SetDeliveryKey {
  /** The receiver: the SET's aud. */
  readonly clientId: string;
  readonly eventType: string;
  /**
   * What caused it, unique per stream (the source event's id and the event
   * type), so a redelivered Kafka event schedules nothing twice.
   */
  readonly sourceKey: string;
  readonly method: SetDeliveryMethod;
  readonly claims: SetClaims;
}

export interface SetDelivery extends NewSetDelivery {
  readonly status: SetDeliveryStatus;
  readonly attempts: number;
  /** Epoch ms. */
  readonly nextAttemptAt: number;
  readonly lastError: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type { AttemptResult, Transition };

/**
 * RFC 8935 2.3 error codes: which ones a retry of the same SET can never fix
 * (the SET or its signature is wrong for this receiver, or the receiver does
 * not take this kind of SET). Anything else in a 400 is retried like a 5xx:
 * a receiver's transient state should not lose a revocation.
 */
const PERMANENT_SET_ERRORS = new Set([
  'invalid_request',
  'invalid_key',
  'invalid_issuer',
  'invalid_audience',
  'authentication_failed',
  'access_denied',
]);

/** What one push's HTTP answer means (RFC 8935 2.2, 2.3). */
export function resultOfPush(status: number, body: string | undefined): AttemptResult {
  if (status === 202) return { ok: true, status };
  // Some receivers answer 200/204: the SET was accepted all the same.
  if (status >= 200 && status < 300) return { ok: true, status };
  if (status === 400) {
    const err = errorCodeOf(body);
    if (err !== undefined)
      return {
        ok: false,
        error: `HTTP 400 ${err}`,
        ...(PERMANENT_SET_ERRORS.has(err) ? { permanent: true } : {}),
      };
    return { ok: false, error: 'HTTP 400' };
  }
  if (status === 401 || status === 403)
    return { ok: false, error: `HTTP ${status} (check the stream's authorization_header)` };
  if (status >= 300 && status < 400)
    return { ok: false, error: `HTTP ${status} (redirects are not followed)` };
  return { ok: false, error: `HTTP ${status}` };
}

/** The `err` of an RFC 8935 2.3 error body, if it is one; only a short token, never the body. */
function errorCodeOf(body: string | undefined): string | undefined {
  if (body === undefined || body.length === 0) return undefined;
  try {
    const parsed = JSON.parse(body) as unknown;
    const err = (parsed as { err?: unknown } | null)?.err;
    return typeof err === 'string' && /^[a-z_]{1,64}$/.test(err) ? err : undefined;
  } catch {
    return undefined;
  }
}
