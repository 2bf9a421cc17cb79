import { constantTimeEqual, keyedHash } from '@idp/crypto';

/** The SSO session cookie: which session this browser holds. */
export const SESSION_COOKIE = 'idp_session';

/** session-service's limit for a sid (getSession rejects longer ones). */
const MAX_SID_LENGTH = 200;

/**
 * `base64url(sid).HMAC(key, sid)`. The sid is not secret on its own (it is
 * in ID tokens), so the MAC is what stops a browser from presenting a sid it
 * was never given: a session is only ever reached through a cookie we set.
 */
export function signSessionId(key: Buffer, sid: string): string {
  return `${Buffer.from(sid, 'utf8').toString('base64url')}.${mac(key, sid)}`;
}

/** The sid, or undefined when the value is absent, malformed or not ours. */
export function verifySessionId(key: Buffer, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const match = /^([A-Za-z0-9_-]{1,400})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (match === null) return undefined;
  const sid = Buffer.from(match[1] as string, 'base64url').toString('utf8');
  if (sid.length === 0 || sid.length > MAX_SID_LENGTH) return undefined;
  return constantTimeEqual(mac(key, sid), match[2] as string) ? sid : undefined;
}

function mac(key: Buffer, sid: string): string {
  return keyedHash(key, `idp-session:${sid}`);
}
