import type { ClaimsRequest, GrantEvent, GrantRevocationReason } from '@idp/contracts';
import { assertNever } from '../decider';
import { fromAccessToken, fromCode, fromIdToken } from './grant.origins';

type Data<T extends GrantEvent['type']> = Extract<GrantEvent, { type: T }>['data'];
export type AccessTokenFormat = Data<'grant.access_token_issued'>['format'];

export interface AuthorizationCodeRecord {
  readonly hash: string;
  readonly exp: number;
  readonly redeemed: boolean;
}

/** What introspection needs about an access token besides the grant's own facts. */
export interface IssuedAccessToken {
  readonly jti: string;
  readonly tokenHash?: string;
  readonly format: AccessTokenFormat;
  readonly scope: string;
  readonly aud: readonly string[];
  readonly iat: number;
  readonly exp: number;
  readonly extraClaims: Readonly<Record<string, unknown>>;
  readonly revoked: boolean;
}

export interface CurrentRefreshToken {
  readonly hash: string;
  readonly iat: number;
  readonly exp: number;
}

/** Everything a grant knows once it exists, whatever its status. */
export interface GrantFacts {
  readonly grantId: string;
  readonly clientId: string;
  /** Absent only for client_credentials grants: there is no end-user. */
  readonly sub?: string;
  readonly sid?: string;
  readonly scope: string;
  readonly authTime?: number;
  readonly nonce?: string;
  readonly acr?: string;
  readonly amr?: readonly string[];
  readonly claimsRequest?: ClaimsRequest;
  readonly redirectUri?: string;
  /** The authorization request carried redirect_uri: redemption must repeat it (RFC 6749 4.1.3). */
  readonly redirectUriSupplied?: boolean;
  readonly codeChallenge?: string;
  readonly codeChallengeMethod?: 'S256' | 'plain';
  readonly code?: AuthorizationCodeRecord;
  readonly refreshToken?: CurrentRefreshToken;
  /** Every refresh token rotated away: presenting one again is reuse (RFC 9700 4.14.2). */
  readonly rotatedRefreshHashes: ReadonlySet<string>;
  readonly accessTokens: ReadonlyMap<string, IssuedAccessToken>;
  /** Latest expiry of anything issued: how long a revocation must be remembered. */
  readonly until: number;
  /** offline_access was granted: the refresh token outlives the SSO session. */
  readonly offline: boolean;
}

export interface EmptyGrant {
  readonly status: 'empty';
}
export interface CodeIssuedGrant extends GrantFacts {
  readonly status: 'code_issued';
  readonly sub: string;
  readonly code: AuthorizationCodeRecord;
}
/**
 * Tokens were issued and may be live. A hybrid grant (OIDC Core 3.3) is active
 * from the front-channel access token on, with its code still unredeemed.
 */
export interface ActiveGrant extends GrantFacts {
  readonly status: 'active';
}
export interface RevokedGrant extends GrantFacts {
  readonly status: 'revoked';
  readonly revokedReason: GrantRevocationReason;
}
export type Grant = CodeIssuedGrant | ActiveGrant | RevokedGrant;
export type GrantState = EmptyGrant | Grant;

export const initialGrantState = (): GrantState => ({ status: 'empty' });

/** An access token makes a grant active: a hybrid one before its code is redeemed. */
function issuingTo(state: GrantState, d: Data<'grant.access_token_issued'>): Grant {
  if (state.status === 'empty') return fromAccessToken(d);
  return state.status === 'code_issued' ? { ...state, status: 'active' } : state;
}

function withAccessToken<G extends Grant>(g: G, d: Data<'grant.access_token_issued'>): G {
  // Expired tokens are dropped here (by the event's own iat, so replay folds alike):
  // a long-lived refresh chain must not grow the state without bound.
  const accessTokens = new Map([...g.accessTokens].filter(([, t]) => t.exp > d.iat));
  accessTokens.set(d.jti, {
    jti: d.jti,
    ...(d.tokenHash === undefined ? {} : { tokenHash: d.tokenHash }),
    format: d.format,
    scope: d.scope,
    aud: d.aud,
    iat: d.iat,
    exp: d.exp,
    extraClaims: d.extraClaims,
    revoked: false,
  });
  return { ...g, accessTokens, until: Math.max(g.until, d.exp) };
}

function withRefreshToken<G extends Grant>(g: G, d: Data<'grant.refresh_token_issued'>): G {
  const rotated = new Set(g.rotatedRefreshHashes);
  if (d.replaces !== undefined) rotated.add(d.replaces);
  return {
    ...g,
    refreshToken: { hash: d.tokenHash, iat: d.iat, exp: d.exp },
    // A rotation may narrow the grant (its client's registration was narrowed): for good.
    scope: d.scope,
    rotatedRefreshHashes: rotated,
    offline: d.offline,
    until: Math.max(g.until, d.exp),
  };
}

function withAccessTokenRevoked<G extends Grant>(g: G, jti: string): G {
  const token = g.accessTokens.get(jti);
  if (!token) return g;
  return { ...g, accessTokens: new Map(g.accessTokens).set(jti, { ...token, revoked: true }) };
}

/** Total over every (state, event) pair: impossible pairs leave the state as it is. */
export function evolveGrant(state: GrantState, event: GrantEvent): GrantState {
  switch (event.type) {
    case 'grant.authorization_code_issued':
      return state.status === 'empty' ? fromCode(event.data) : state;
    case 'grant.authorization_code_redeemed':
      return (state.status === 'code_issued' || state.status === 'active') && state.code
        ? { ...state, status: 'active', code: { ...state.code, redeemed: true } }
        : state;
    case 'grant.access_token_issued':
      return withAccessToken(issuingTo(state, event.data), event.data);
    case 'grant.refresh_token_issued':
      return state.status === 'empty' ? state : withRefreshToken(state, event.data);
    case 'grant.id_token_issued':
      return state.status === 'empty'
        ? fromIdToken(event.data)
        : { ...state, until: Math.max(state.until, event.data.exp) };
    case 'grant.revoked':
      return state.status === 'empty'
        ? state
        : { ...state, status: 'revoked', revokedReason: event.data.reason };
    case 'grant.access_token_revoked':
      return state.status === 'empty' ? state : withAccessTokenRevoked(state, event.data.jti);
    default:
      return assertNever(event);
  }
}
