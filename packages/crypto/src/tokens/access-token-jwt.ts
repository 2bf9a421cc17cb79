import type { JWTPayload } from 'jose';
import { signCompactJws } from './compact-jws';
import {
  ACCESS_TOKEN_RESERVED_CLAIMS,
  assertNoReservedClaims,
  definedOnly,
  requireText,
} from './claims';
import {
  assertSigningKey,
  lifetime,
  newJti,
  type SignedToken,
  type TokenSigningKey,
} from './signing-key';

export interface AccessTokenJwtInput {
  readonly issuer: string;
  /**
   * The resource owner, or `null` when there is none (client_credentials):
   * then `sub` is the client_id, per RFC 9068 section 2.2. Required on purpose,
   * so a user flow cannot forget it and mint a token for the client.
   */
  readonly sub: string | null;
  readonly clientId: string;
  /** The resource server(s) (RFC 8707 resource indicators). */
  readonly aud: string | readonly string[];
  /** Space-delimited; omitted when empty. */
  readonly scope?: string;
  /** Seconds since the epoch. */
  readonly authTime?: number;
  readonly acr?: string;
  readonly amr?: readonly string[];
  /** The SSO session, so logout can deny-list every token of the session. */
  readonly sid?: string;
  /** Configured per client or resource (roles, groups, tenant...); reserved claims are refused. */
  readonly extraClaims?: Readonly<Record<string, unknown>>;
  readonly lifetimeSeconds: number;
  /** Seconds since the epoch. */
  readonly now: number;
  readonly key: TokenSigningKey;
  /** Defaults to 128 random bits; pass one when the event already names it. */
  readonly jti?: string;
  /** Sender constraint (RFC 7800 `cnf`): the DPoP key's thumbprint (RFC 9449 6.1). */
  readonly cnf?: Readonly<{ jkt?: string | undefined; 'x5t#S256'?: string | undefined }>;
  /** RFC 8693 4.1: the delegation chain of an exchanged token (the current actor outermost). */
  readonly act?: Readonly<Record<string, unknown>>;
}

/** RFC 9068 section 2.1: the header type that tells an access token from an ID token. */
export const ACCESS_TOKEN_TYP = 'at+jwt';

/**
 * Signs an RFC 9068 JWT access token. It is built from its own claim list,
 * never from an ID token's, so nonce, at_hash, c_hash, s_hash and azp cannot
 * appear (and extra claims may not add them).
 */
export async function signAccessTokenJwt(input: AccessTokenJwtInput): Promise<SignedToken> {
  const { key } = input;
  assertSigningKey(key);
  requireText(input.issuer, 'issuer');
  requireText(input.clientId, 'clientId');
  if (input.sub !== null) requireText(input.sub, 'sub');
  const aud = typeof input.aud === 'string' ? input.aud : [...input.aud];
  if (Array.isArray(aud) ? aud.length === 0 || !aud.every((a) => typeof a === 'string' && a) : !aud)
    throw new TypeError('aud must name at least one resource server (RFC 9068 section 2.2)');
  if (input.amr !== undefined && !input.amr.every((m) => typeof m === 'string'))
    throw new TypeError('amr must be an array of strings');
  assertNoReservedClaims(input.extraClaims, ACCESS_TOKEN_RESERVED_CLAIMS, 'access token');

  const { iat, exp } = lifetime(input.now, input.lifetimeSeconds);
  const jti = input.jti ?? newJti();
  const registered = definedOnly({
    iss: input.issuer,
    sub: input.sub ?? input.clientId,
    aud,
    client_id: input.clientId,
    scope: input.scope ? input.scope : undefined,
    exp,
    iat,
    jti,
    auth_time: input.authTime,
    acr: input.acr,
    amr: input.amr ? [...input.amr] : undefined,
    sid: input.sid,
    cnf: input.cnf === undefined ? undefined : definedOnly({ ...input.cnf }),
    act: input.act,
  });
  // Registered claims last: a second line of defence after the reserved-claim check.
  const payload: JWTPayload = { ...input.extraClaims, ...registered };
  const token = await signCompactJws(
    { alg: key.alg, kid: key.kid, typ: ACCESS_TOKEN_TYP },
    payload,
    key.privateKey,
  );
  return { token, jti, exp };
}
