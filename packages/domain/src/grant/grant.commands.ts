import type {
  ActorClaim,
  ClaimsRequest,
  Confirmation,
  GrantRevocationReason,
  RefreshReuseResponse,
} from '@idp/contracts';
import type { CommandMeta } from '../decider';
import type { AccessTokenFormat } from './grant.state';

/**
 * Tokens are minted outside (ids, random values and keyed hashes are I/O);
 * the decider only records them. `exp` values are epoch seconds.
 */
export interface AccessTokenSpec {
  readonly jti: string;
  /** Keyed hash of an opaque token; absent for JWTs, which are found by jti. */
  readonly tokenHash?: string | undefined;
  readonly format: AccessTokenFormat;
  readonly aud: readonly string[];
  readonly exp: number;
  /** The client's access_token_claims resolved for this user (see accessTokenClaims). */
  readonly extraClaims?: Readonly<Record<string, unknown>>;
  /** The key the token is bound to (DPoP, RFC 9449 6); absent for a Bearer token. */
  readonly cnf?: Confirmation | undefined;
  /** RFC 8693 4.1: the delegation chain of an exchanged token. */
  readonly act?: ActorClaim | undefined;
}
export interface RefreshTokenSpec {
  readonly tokenHash: string;
  readonly exp: number;
  /** A public client's DPoP key (RFC 9449 5): the refresh token needs a proof by it. */
  readonly cnf?: Confirmation | undefined;
}
export interface IdTokenSpec {
  readonly jti: string;
  readonly exp: number;
}

/** The code of an authorization response whose response_type contains `code`. */
export interface AuthorizationCodeSpec {
  readonly codeHash: string;
  readonly exp: number;
  readonly codeChallenge?: string | undefined;
  readonly codeChallengeMethod?: 'S256' | 'plain' | undefined;
}

/**
 * Everything /authorize issues for one authorization, under a fresh grant:
 * the code flow (`code` only), the implicit flow (`idToken`, with or without
 * `accessToken`; OIDC Core 3.2) and the hybrid flow (`code` plus either or
 * both; 3.3). One command rather than one per flow because the grant's fate
 * is shared: a replayed code must revoke the front-channel access token too.
 * Each part is recorded as the event it would be anywhere else (code issued,
 * access token issued, ID token issued), so consumers need nothing new.
 * There is no refresh token here by construction: the authorization endpoint
 * never issues one (OIDC Core 3.2.2.1, RFC 6749 4.2.2).
 */
export interface IssueAuthorizationResponse {
  readonly type: 'IssueAuthorizationResponse';
  readonly grantId: string;
  readonly clientId: string;
  readonly sub: string;
  readonly sid?: string;
  readonly scope: string;
  readonly redirectUri: string;
  /** Whether the request carried redirect_uri (see RFC 6749 4.1.3 in redeemAuthorizationCode). */
  readonly redirectUriSupplied: boolean;
  readonly nonce?: string | undefined;
  readonly authTime: number;
  readonly acr?: string;
  readonly amr?: readonly string[];
  /** Kept with the code, for the ID token and /userinfo after redemption. */
  readonly claimsRequest?: ClaimsRequest;
  /** RFC 8707: the resources the request named (already checked against the client's). */
  readonly resources?: readonly string[];
  readonly code?: AuthorizationCodeSpec;
  /** response_type contains `token`. */
  readonly accessToken?: AccessTokenSpec;
  /** response_type contains `id_token`. */
  readonly idToken?: IdTokenSpec;
  readonly meta: CommandMeta;
}

export interface RedeemAuthorizationCode {
  readonly type: 'RedeemAuthorizationCode';
  readonly codeHash: string;
  /** The authenticated client (client authentication happens before the command). */
  readonly clientId: string;
  /**
   * RFC 6749 4.1.3: required, and equal character for character, when the
   * authorization request carried one; otherwise optional.
   */
  readonly redirectUri: string | undefined;
  readonly codeVerifier?: string | undefined;
  /** RFC 8707 2.2: the one resource the token request named; must be among the grant's. */
  readonly resource?: string | undefined;
  readonly tokens: {
    readonly accessToken: AccessTokenSpec;
    readonly refreshToken?: RefreshTokenSpec;
    /** Only when the grant's scope contains openid. */
    readonly idToken?: IdTokenSpec;
  };
  readonly meta: CommandMeta;
}

export interface RefreshTokens {
  readonly type: 'RefreshTokens';
  readonly presentedHash: string;
  readonly clientId: string;
  /** RFC 6749 6: may only narrow; narrows the access token, never the new refresh token. */
  readonly scope?: string;
  /**
   * The client's registered scope now (absent = unrestricted): a grant keeps
   * only what its client is still registered for, so a scope withdrawn from
   * the client is withdrawn from its refresh tokens too.
   */
  readonly clientScope?: string;
  /** RFC 8707 2.2: narrows the access token to one of the grant's resources, never widens. */
  readonly resource?: string | undefined;
  /**
   * The thumbprint of the request's verified DPoP proof key, if it had one:
   * a refresh token bound to a key (a public client's, RFC 9449 5) needs it.
   */
  readonly proofJkt?: string | undefined;
  /** What a rotated-away token presented here causes: the client's policy (refreshReuseResponseFor). */
  readonly onReuse: RefreshReuseResponse;
  /** The caller's IP address, recorded if the token turns out reused. */
  readonly callerIp?: string | undefined;
  readonly tokens: {
    readonly accessToken: AccessTokenSpec;
    /** Rotation is mandatory: every refresh returns a new refresh token. */
    readonly refreshToken: RefreshTokenSpec;
    readonly idToken?: IdTokenSpec;
  };
  readonly meta: CommandMeta;
}

export interface IssueClientCredentialsToken {
  readonly type: 'IssueClientCredentialsToken';
  readonly grantId: string;
  readonly clientId: string;
  readonly scope: string;
  readonly accessToken: AccessTokenSpec;
  readonly meta: CommandMeta;
}

/**
 * RFC 8693: an access token issued by a token exchange. It joins the grant
 * of the subject token (`into: 'grant'`, the subject was one of our access
 * tokens), so whatever revokes that grant revokes it; or it starts a grant
 * of its own (`into: 'new'`, an ID token or a trusted issuer's JWT), found
 * by its sub and sid like any other (ADR 0033).
 */
export interface ExchangeToken {
  readonly type: 'ExchangeToken';
  readonly grantId: string;
  /** The exchanging (authenticated) client: the new token is issued to it. */
  readonly clientId: string;
  readonly into:
    | {
        readonly kind: 'grant';
        /** The subject token's jti: it must still be live in this grant. */
        readonly subjectJti: string;
      }
    | { readonly kind: 'new'; readonly sub: string; readonly sid?: string | undefined };
  readonly scope: string;
  readonly accessToken: AccessTokenSpec;
  readonly meta: CommandMeta;
}

/**
 * RFC 8628 3.5: the tokens of an approved device authorization, under a
 * fresh grant joined to the SSO session that approved (so logout revokes
 * them as it revokes a code flow's). The device stream has already recorded
 * the single redemption; this grant is where the tokens live.
 */
export interface IssueDeviceGrant {
  readonly type: 'IssueDeviceGrant';
  readonly grantId: string;
  readonly clientId: string;
  readonly sub: string;
  readonly sid?: string;
  readonly scope: string;
  readonly accessToken: AccessTokenSpec;
  readonly refreshToken?: RefreshTokenSpec;
  /** Only when the scope contains openid. */
  readonly idToken?: IdTokenSpec;
  readonly meta: CommandMeta;
}

/** Reuse, replay and code misuse are detected by the decider itself, never requested. */
export type RequestedRevocationReason = Exclude<
  GrantRevocationReason,
  'code_replay' | 'code_misuse' | 'refresh_token_reuse'
>;

export interface RevokeGrant {
  readonly type: 'RevokeGrant';
  readonly reason: RequestedRevocationReason;
  /** The authenticated client asking (RFC 7009); absent for internal revocations. */
  readonly requestedBy?: string;
  readonly meta: CommandMeta;
}

export interface RevokeAccessToken {
  readonly type: 'RevokeAccessToken';
  readonly jti: string;
  readonly reason?: RequestedRevocationReason;
  readonly requestedBy?: string;
  readonly meta: CommandMeta;
}

export type GrantCommand =
  | IssueAuthorizationResponse
  | RedeemAuthorizationCode
  | RefreshTokens
  | IssueClientCredentialsToken
  | ExchangeToken
  | IssueDeviceGrant
  | RevokeGrant
  | RevokeAccessToken;
