import { signCompactJws } from './compact-jws';
import { definedOnly, requireText } from './claims';
import {
  assertSigningKey,
  lifetime,
  newJti,
  type SignedToken,
  type TokenSigningKey,
} from './signing-key';

/** OIDC Back-Channel Logout 1.0 section 2.4: the one member of the `events` claim. */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** Section 2.4 recommends explicit typing, so a logout token can never pass as an ID token. */
export const LOGOUT_TOKEN_TYP = 'logout+jwt';
/** Short: the RP acts on it at once, and a stolen one should be worthless soon. */
export const DEFAULT_LOGOUT_TOKEN_LIFETIME = 120;

export interface LogoutTokenInput {
  readonly issuer: string;
  /** The client_id of the RP being told. */
  readonly aud: string;
  /** At least one of sub and sid is required (section 2.4). */
  readonly sub?: string;
  readonly sid?: string;
  readonly key: TokenSigningKey;
  /** Seconds since the epoch. */
  readonly now: number;
  readonly lifetimeSeconds?: number;
  /**
   * Pass the jti recorded with the delivery so every retry carries the same
   * identity: the RP deduplicates by jti, and our delivery log can name it.
   */
  readonly jti?: string;
}

/**
 * Signs a Back-Channel Logout token: iss, aud, iat, exp, jti, events, and
 * sub and/or sid. Built from its own claim list, so it never has a nonce
 * (which section 2.4 forbids, to keep it from being used as an ID token).
 */
export async function signLogoutToken(input: LogoutTokenInput): Promise<SignedToken> {
  const { key } = input;
  assertSigningKey(key);
  requireText(input.issuer, 'issuer');
  requireText(input.aud, 'aud');
  if (input.sub !== undefined) requireText(input.sub, 'sub');
  if (input.sid !== undefined) requireText(input.sid, 'sid');
  if (input.sub === undefined && input.sid === undefined)
    throw new TypeError('a logout token needs sub or sid (Back-Channel Logout 1.0 section 2.4)');
  if (input.jti !== undefined) requireText(input.jti, 'jti');

  const { iat, exp } = lifetime(input.now, input.lifetimeSeconds ?? DEFAULT_LOGOUT_TOKEN_LIFETIME);
  const jti = input.jti ?? newJti();
  const payload = definedOnly({
    iss: input.issuer,
    sub: input.sub,
    aud: input.aud,
    iat,
    exp,
    jti,
    events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    sid: input.sid,
  });
  const token = await signCompactJws(
    { alg: key.alg, kid: key.kid, typ: LOGOUT_TOKEN_TYP },
    payload,
    key.privateKey,
  );
  return { token, jti, exp };
}
