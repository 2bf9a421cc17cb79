import { signCompactJws } from './compact-jws';
import { requireText } from './claims';
import { assertSigningKey, type TokenSigningKey } from './signing-key';

/** RFC 8417 2.3 and SSF 1.0: the explicit type of a Security Event Token. */
export const SECEVENT_TYP = 'secevent+jwt';

export interface SecurityEventInput {
  readonly issuer: string;
  /** The receiver (its client id). */
  readonly aud: string;
  /** Fixed when the delivery was scheduled: every retry carries it (RFC 8935 dedup, RFC 8936 ack). */
  readonly jti: string;
  /** Seconds since the epoch: when the SET was made (scheduled), the same for every retry. */
  readonly iat: number;
  /** The id of the event that caused it (RFC 8417 2.2 `txn`), absent for verification and stream-updated. */
  readonly txn?: string;
  /** SSF 1.0 section 4: the subject of the SET (RFC 9493 identifier, or complex). */
  readonly subId: Readonly<Record<string, unknown>>;
  /** Exactly one event type URI and its payload (SSF 1.0 4.2). */
  readonly events: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly key: TokenSigningKey;
}

/**
 * Signs a Security Event Token (RFC 8417) as the Shared Signals Framework 1.0
 * profiles it: `typ: secevent+jwt`, iss, aud, iat, jti, txn, sub_id and one
 * event in `events`. Built from its own claim list: no `sub` (SSF 1.0 4.1
 * puts the subject in `sub_id`) and no `exp`, `nbf` or `nonce`, so a SET
 * can never pass as an ID or access token (whose verifiers also require
 * their own `typ`).
 */
export async function signSecurityEventToken(input: SecurityEventInput): Promise<string> {
  assertSigningKey(input.key);
  requireText(input.issuer, 'issuer');
  requireText(input.aud, 'aud');
  requireText(input.jti, 'jti');
  if (input.txn !== undefined) requireText(input.txn, 'txn');
  if (!Number.isInteger(input.iat) || input.iat < 0 || input.iat > 1e11)
    throw new TypeError('iat must be epoch seconds (integer)');
  if (typeof input.subId['format'] !== 'string')
    throw new TypeError('sub_id needs a format (RFC 9493)');
  const types = Object.keys(input.events);
  if (types.length !== 1) throw new TypeError('a SET carries exactly one event (SSF 1.0 4.2)');
  const payload = {
    iss: input.issuer,
    aud: input.aud,
    iat: input.iat,
    jti: input.jti,
    ...(input.txn === undefined ? {} : { txn: input.txn }),
    sub_id: input.subId,
    events: input.events,
  };
  return signCompactJws(
    { alg: input.key.alg, kid: input.key.kid, typ: SECEVENT_TYP },
    payload,
    input.key.privateKey,
  );
}
