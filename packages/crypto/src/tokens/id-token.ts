import type { JWTPayload } from 'jose';
import { signCompactJws } from './compact-jws';
import {
  assertNoReservedClaims,
  definedOnly,
  ID_TOKEN_RESERVED_CLAIMS,
  requireText,
} from './claims';
import {
  assertSigningKey,
  lifetime,
  newJti,
  okpCurve,
  type SignedToken,
  type TokenSigningKey,
} from './signing-key';
import { halfHash } from './token-hash-claims';

export interface IdTokenInput {
  readonly issuer: string;
  readonly sub: string;
  /** The client_id: an ID token has exactly one audience, the RP it was issued to. */
  readonly aud: string;
  readonly azp?: string;
  readonly nonce?: string;
  /** Seconds since the epoch. */
  readonly authTime?: number;
  readonly acr?: string;
  readonly amr?: readonly string[];
  readonly sid?: string;
  /** Issued alongside (implicit / hybrid): bound via at_hash. */
  readonly accessToken?: string;
  /** Issued alongside (hybrid): bound via c_hash. */
  readonly code?: string;
  /** FAPI 1.0 Advanced detached signature: bound via s_hash. */
  readonly state?: string;
  /** Userinfo claims released by scope (implicit flows); reserved claims are refused. */
  readonly extraClaims?: Readonly<Record<string, unknown>>;
  readonly lifetimeSeconds: number;
  /** Seconds since the epoch: the clock comes from the command, not from here. */
  readonly now: number;
  readonly key: TokenSigningKey;
  /** Defaults to 128 random bits; pass one when the event already names it. */
  readonly jti?: string;
}

/** The ID token header: `typ: JWT`, so verifiers that require `at+jwt` or `logout+jwt` refuse it. */
export const ID_TOKEN_TYP = 'JWT';

/**
 * Signs an OIDC ID token (Core 2, 3.1.3.6, 3.3.2.11). Only claims that were
 * given appear; the hash claims use the hash of the key's alg (see halfHash).
 */
export async function signIdToken(input: IdTokenInput): Promise<SignedToken> {
  const { key } = input;
  assertSigningKey(key);
  requireText(input.issuer, 'issuer');
  requireText(input.sub, 'sub');
  requireText(input.aud, 'aud');
  if (input.amr !== undefined && !input.amr.every((m) => typeof m === 'string'))
    throw new TypeError('amr must be an array of strings');
  assertNoReservedClaims(input.extraClaims, ID_TOKEN_RESERVED_CLAIMS, 'ID token');

  const { iat, exp } = lifetime(input.now, input.lifetimeSeconds);
  const jti = input.jti ?? newJti();
  const crv = key.alg === 'EdDSA' ? okpCurve(key.privateKey) : undefined;
  const hash = (v: string | undefined) => (v === undefined ? undefined : halfHash(v, key.alg, crv));

  const registered = definedOnly({
    iss: input.issuer,
    sub: input.sub,
    aud: input.aud,
    exp,
    iat,
    auth_time: input.authTime,
    nonce: input.nonce,
    azp: input.azp,
    at_hash: hash(input.accessToken),
    c_hash: hash(input.code),
    s_hash: hash(input.state),
    sid: input.sid,
    amr: input.amr ? [...input.amr] : undefined,
    acr: input.acr,
    jti,
  });
  // Registered claims are spread last as a second line of defence after the reserved-claim check.
  const payload: JWTPayload = { ...input.extraClaims, ...registered };
  const token = await signCompactJws(
    { alg: key.alg, kid: key.kid, typ: ID_TOKEN_TYP },
    payload,
    key.privateKey,
  );
  return { token, jti, exp };
}
