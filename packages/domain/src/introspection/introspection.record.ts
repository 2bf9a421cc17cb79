import type { ActorClaim, Confirmation, GrantEvent } from '@idp/contracts';
import type { Grant, IssuedAccessToken } from '../grant/grant.state';

/**
 * The introspection read model (ADR 0008): one cache entry per token, under
 * the key `introspectionKey` gives it. It is written by three parties that
 * must agree byte for byte, so the encoding lives here, pure:
 *
 * - introspection-service's projection of grant events (live and replay),
 * - introspection-service's read-through on a miss (token-service answers
 *   from the event store with the same record),
 * - token-service's revocation, which writes tombstones itself before
 *   /revoke returns (the guarantee does not wait for Kafka).
 *
 * Active records are only ever written with SET NX and tombstones with a
 * plain SET, so a slow read-through or a redelivered issue event can never
 * bring a revoked token back to life.
 */
export type IntrospectionTokenType = 'access_token' | 'refresh_token';

export interface ActiveTokenRecord {
  readonly active: true;
  readonly token_type: IntrospectionTokenType;
  readonly grant_id: string;
  /** Access tokens only (the jti of a JWT; an internal id for opaque ones). */
  readonly jti?: string;
  readonly client_id: string;
  readonly sub?: string | undefined;
  readonly sid?: string | undefined;
  readonly scope: string;
  readonly aud?: readonly string[];
  readonly iat: number;
  readonly exp: number;
  readonly extra_claims?: Readonly<Record<string, unknown>>;
  /** Sender constraint (RFC 9449 6.2): introspection answers it, and token_type DPoP. */
  readonly cnf?: Confirmation;
  /** RFC 8693 4.1: an exchanged token's delegation chain, answered as introspection's `act`. */
  readonly act?: ActorClaim;
}

export interface InactiveTokenRecord {
  readonly active: false;
  /**
   * Why: `revoked` entries live as long as the token would have; `unknown`
   * ones briefly; `expired` ones are answers only, never stored.
   */
  readonly reason: 'revoked' | 'unknown' | 'expired';
}

export type IntrospectionRecord = ActiveTokenRecord | InactiveTokenRecord;

/** How a presented token is looked up: opaque ones by keyed hash, JWTs by jti. */
export type IntrospectionRef =
  | { readonly kind: 'opaque_access_token'; readonly tokenHash: string }
  | { readonly kind: 'refresh_token'; readonly tokenHash: string }
  | { readonly kind: 'jwt_access_token'; readonly jti: string };

/** Cache keys. The adapter adds the deployment's prefix. */
export function introspectionKey(ref: IntrospectionRef): string {
  switch (ref.kind) {
    case 'opaque_access_token':
      return `introspection:at:${ref.tokenHash}`;
    case 'refresh_token':
      return `introspection:rt:${ref.tokenHash}`;
    case 'jwt_access_token':
      return `introspection:jti:${ref.jti}`;
  }
}

/** An access token's own reference: opaque by hash, JWT and JWE by jti. */
export function accessTokenRef(token: {
  readonly jti: string;
  readonly tokenHash?: string | undefined;
  readonly format: string;
}): IntrospectionRef {
  return token.format === 'opaque' && token.tokenHash !== undefined
    ? { kind: 'opaque_access_token', tokenHash: token.tokenHash }
    : { kind: 'jwt_access_token', jti: token.jti };
}

interface GrantIdentity {
  readonly grantId: string;
  readonly clientId: string;
  readonly sub?: string | undefined;
  readonly sid?: string | undefined;
}

export function accessTokenRecord(
  grant: GrantIdentity,
  token: Pick<
    IssuedAccessToken,
    'jti' | 'scope' | 'aud' | 'iat' | 'exp' | 'extraClaims' | 'cnf' | 'issuedTo' | 'act'
  >,
): ActiveTokenRecord {
  return {
    active: true,
    token_type: 'access_token',
    grant_id: grant.grantId,
    jti: token.jti,
    // RFC 8693: an exchanged token is the exchanging client's, within the grant it came from.
    client_id: token.issuedTo ?? grant.clientId,
    ...(grant.sub === undefined ? {} : { sub: grant.sub }),
    ...(grant.sid === undefined ? {} : { sid: grant.sid }),
    scope: token.scope,
    aud: [...token.aud],
    iat: token.iat,
    exp: token.exp,
    ...(Object.keys(token.extraClaims).length === 0
      ? {}
      : { extra_claims: { ...token.extraClaims } }),
    ...(token.cnf === undefined ? {} : { cnf: { ...token.cnf } }),
    ...(token.act === undefined ? {} : { act: token.act }),
  };
}

export function refreshTokenRecord(
  grant: GrantIdentity & { readonly scope: string },
  token: { readonly iat: number; readonly exp: number; readonly cnf?: Confirmation | undefined },
): ActiveTokenRecord {
  return {
    active: true,
    token_type: 'refresh_token',
    grant_id: grant.grantId,
    client_id: grant.clientId,
    ...(grant.sub === undefined ? {} : { sub: grant.sub }),
    ...(grant.sid === undefined ? {} : { sid: grant.sid }),
    scope: grant.scope,
    iat: token.iat,
    exp: token.exp,
    ...(token.cnf === undefined ? {} : { cnf: { ...token.cnf } }),
  };
}

export const REVOKED: InactiveTokenRecord = { active: false, reason: 'revoked' };
export const UNKNOWN: InactiveTokenRecord = { active: false, reason: 'unknown' };
export const EXPIRED: InactiveTokenRecord = { active: false, reason: 'expired' };

/**
 * Unknown tokens are remembered this long: long enough to absorb a flood of
 * garbage that passed the MAC (none should), short enough not to matter.
 */
export const UNKNOWN_TTL_MS = 5_000;

/** What the writes depend on: the type and data of a grant event, not its envelope. */
export type GrantEventBody = GrantEvent extends infer E
  ? E extends GrantEvent
    ? Pick<E, 'type' | 'data'>
    : never
  : never;

/** One write to the read model; `ifAbsent` = SET NX (active records only). */
export interface IntrospectionWrite {
  readonly key: string;
  readonly record: IntrospectionRecord;
  /** Absolute expiry in epoch seconds: the entry must not outlive the token. */
  readonly expiresAt: number;
  readonly ifAbsent: boolean;
}

const activeWrite = (ref: IntrospectionRef, record: ActiveTokenRecord): IntrospectionWrite => ({
  key: introspectionKey(ref),
  record,
  expiresAt: record.exp,
  ifAbsent: true,
});

const tombstone = (ref: IntrospectionRef, expiresAt: number): IntrospectionWrite => ({
  key: introspectionKey(ref),
  record: REVOKED,
  expiresAt,
  ifAbsent: false,
});

/**
 * The writes one grant event implies. Pure and idempotent: applying the same
 * event twice, or a replay of the whole store, gives the same entries.
 */
export function introspectionWritesFor(event: GrantEventBody): IntrospectionWrite[] {
  switch (event.type) {
    case 'grant.access_token_issued': {
      const d = event.data;
      return [activeWrite(accessTokenRef(d), accessTokenRecord(d, d))];
    }
    case 'grant.refresh_token_issued': {
      const d = event.data;
      const writes = [
        activeWrite({ kind: 'refresh_token', tokenHash: d.tokenHash }, refreshTokenRecord(d, d)),
      ];
      // Rotation: the replaced token is dead; it cannot outlive its successor.
      if (d.replaces !== undefined) {
        writes.push(tombstone({ kind: 'refresh_token', tokenHash: d.replaces }, d.exp));
      }
      return writes;
    }
    case 'grant.revoked': {
      const d = event.data;
      const writes = d.accessTokens.map((t) =>
        tombstone(
          accessTokenRef({ ...t, format: t.tokenHash === undefined ? 'jwt' : 'opaque' }),
          t.exp,
        ),
      );
      if (d.refreshTokenHash !== undefined) {
        writes.push(tombstone({ kind: 'refresh_token', tokenHash: d.refreshTokenHash }, d.until));
      }
      return writes;
    }
    case 'grant.access_token_revoked': {
      const d = event.data;
      const format = d.tokenHash === undefined ? 'jwt' : 'opaque';
      return [tombstone(accessTokenRef({ ...d, format }), d.exp)];
    }
    case 'grant.authorization_code_issued':
    case 'grant.authorization_code_redeemed':
    case 'grant.id_token_issued':
    case 'grant.reuse_detected':
      return [];
  }
}

/**
 * The authoritative record of a token from its grant, as token-service's
 * read-through answers it. `undefined` role = the grant does not know it.
 */
export function recordFromGrant(
  grant: Grant,
  found:
    | { readonly role: 'access_token'; readonly token: IssuedAccessToken }
    | {
        readonly role: 'refresh_token';
        readonly token: { iat: number; exp: number; cnf?: Confirmation | undefined };
      }
    | { readonly role: 'other' }
    | undefined,
  now: number,
): IntrospectionRecord {
  if (found === undefined) return UNKNOWN;
  if (grant.status !== 'active' || found.role === 'other') return REVOKED;
  if (found.role === 'access_token') {
    if (found.token.revoked) return REVOKED;
    return found.token.exp > now ? accessTokenRecord(grant, found.token) : EXPIRED;
  }
  return found.token.exp > now ? refreshTokenRecord(grant, found.token) : EXPIRED;
}

export function encodeRecord(record: IntrospectionRecord): string {
  return JSON.stringify(record);
}

/** Malformed entries read as absent: the caller then reads through. */
export function decodeRecord(raw: string | null): IntrospectionRecord | undefined {
  if (raw === null) return undefined;
  try {
    const value = JSON.parse(raw) as IntrospectionRecord;
    return typeof value === 'object' && value !== null && typeof value.active === 'boolean'
      ? value
      : undefined;
  } catch {
    return undefined;
  }
}
