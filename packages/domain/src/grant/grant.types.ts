// The shapes a grant's state takes, apart from the fold (grant.state.ts) so
// the grant's origins (grant.origins.ts), which the fold calls, can name them
// without importing the fold back.
import type {
  ActorClaim,
  ClaimsRequest,
  Confirmation,
  GrantEvent,
  GrantRevocationReason,
} from '@idp/contracts';

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
  /** Sender constraint (RFC 9449 6): the DPoP key's thumbprint; absent for a Bearer token. */
  readonly cnf?: Confirmation | undefined;
  /** RFC 8693: the client a token exchange issued it to, if not the grant's. */
  readonly issuedTo?: string | undefined;
  /** RFC 8693 4.1: the delegation chain of an exchanged token. */
  readonly act?: ActorClaim | undefined;
  readonly revoked: boolean;
}

export interface CurrentRefreshToken {
  readonly hash: string;
  readonly iat: number;
  readonly exp: number;
  /** The DPoP key a public client's refresh token is bound to (RFC 9449 5). */
  readonly cnf?: Confirmation;
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
  /** RFC 8707 resources named at /authorize: the bound of every token request under the grant. */
  readonly resources?: readonly string[];
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
