import { z } from 'zod';
import { defineEvent, type EventOf } from '../define-event';
import {
  accessTokenFormat,
  claims,
  confirmation,
  epochSeconds,
  id,
  scope,
  tokenHash,
} from './common';

/**
 * A value a claims request may ask for (OIDC Core 5.5.1 `value`, `values`):
 * the claims that can be requested (standard ones and `acr`) are scalars.
 */
const claimValue = z.union([z.string().max(500), z.number(), z.boolean()]);
/** One member (`userinfo` or `id_token`) of the OIDC claims request: claim name → null | options. */
const requestedClaims = z.record(
  z.string().max(100),
  z
    .object({
      essential: z.boolean().optional(),
      value: claimValue.optional(),
      values: z.array(claimValue).max(10).optional(),
    })
    .nullable(),
);
export const claimsRequest = z.object({
  userinfo: requestedClaims.optional(),
  id_token: requestedClaims.optional(),
});
export type ClaimsRequest = z.output<typeof claimsRequest>;
export type RequestedClaims = z.output<typeof requestedClaims>;

/**
 * Grant stream (`grant-<id>`): everything issued under one authorization,
 * from the code to the last rotated refresh token. Published on the token topic.
 */
export const AuthorizationCodeIssued = defineEvent(
  'grant.authorization_code_issued',
  1,
  z.object({
    grantId: id,
    codeHash: tokenHash,
    clientId: id,
    sub: id,
    sid: id.optional(),
    scope,
    redirectUri: z.string().max(2000),
    /**
     * Whether the authorization request carried redirect_uri (RFC 6749 4.1.3:
     * the token request must then repeat it). Events written before this
     * field existed read as true, the stricter rule.
     */
    redirectUriSupplied: z.boolean().default(true),
    codeChallenge: z.string().max(128).optional(),
    codeChallengeMethod: z.enum(['S256', 'plain']).optional(),
    nonce: z.string().max(500).optional(),
    authTime: epochSeconds,
    acr: z.string().optional(),
    amr: z.array(z.string()).optional(),
    /**
     * The OIDC `claims` request parameter (Core 5.5) as authorized: the ID
     * token minted at redemption and /userinfo release what it names.
     */
    claimsRequest: claimsRequest.optional(),
    /**
     * The RFC 8707 resource indicators the authorization request named: each
     * token request under the grant may pick one of them, never another.
     * Absent on events written before they were recorded and when the
     * request named none: tokens then target the client's `resources`.
     */
    resources: z.array(z.string().max(2000)).min(1).max(10).optional(),
    exp: epochSeconds,
  }),
);

export const AuthorizationCodeRedeemed = defineEvent(
  'grant.authorization_code_redeemed',
  1,
  z.object({ grantId: id, codeHash: tokenHash, clientId: id }),
);

/** RFC 8693 4.1: the actor of a delegated token, the previous actors nested in `act`. */
export interface ActorClaim {
  readonly sub: string;
  readonly client_id?: string | undefined;
  readonly act?: ActorClaim | undefined;
}
export const actorClaim: z.ZodType<ActorClaim> = z.lazy(() =>
  z.object({
    sub: z.string().min(1).max(255),
    client_id: z.string().min(1).max(255).optional(),
    act: actorClaim.optional(),
  }),
);

export const AccessTokenIssued = defineEvent(
  'grant.access_token_issued',
  1,
  z.object({
    grantId: id,
    jti: id,
    /** Keyed hash of an opaque token; absent for JWTs, which are found by jti. */
    tokenHash: tokenHash.optional(),
    format: accessTokenFormat,
    clientId: id,
    sub: id.optional(),
    sid: id.optional(),
    scope,
    aud: z.array(z.string()).min(1),
    iat: epochSeconds,
    exp: epochSeconds,
    /** The client's configured extra claims (roles, groups...), for introspection. */
    extraClaims: claims.default({}),
    /** Sender constraint: the key (DPoP, RFC 9449) the token is bound to. */
    cnf: confirmation.optional(),
    /**
     * RFC 8693: the client a token exchange issued this token to, when it is
     * not the grant's client (the token still belongs to the grant: revoking
     * the grant revokes it; ADR 0033).
     */
    issuedTo: id.optional(),
    /** RFC 8693 4.1: the delegation chain of an exchanged token. */
    act: actorClaim.optional(),
    /**
     * The OIDC `claims` request (Core 5.5) of a grant born with this token
     * (response_type `id_token token`, which has no code to hold it): what
     * /userinfo releases. Absent otherwise, and on events written before it.
     */
    claimsRequest: claimsRequest.optional(),
  }),
);

export const RefreshTokenIssued = defineEvent(
  'grant.refresh_token_issued',
  1,
  z.object({
    grantId: id,
    tokenHash,
    clientId: id,
    sub: id,
    sid: id.optional(),
    scope,
    iat: epochSeconds,
    exp: epochSeconds,
    /** The refresh token this one replaces (rotation); absent for the first. */
    replaces: tokenHash.optional(),
    offline: z.boolean().default(false),
    /**
     * The DPoP key a public client's refresh token is bound to (RFC 9449 5):
     * a refresh must prove possession of it. Rotation keeps it.
     */
    cnf: confirmation.optional(),
  }),
);

export const IdTokenIssued = defineEvent(
  'grant.id_token_issued',
  1,
  z.object({
    grantId: id,
    jti: id,
    clientId: id,
    sub: id,
    sid: id.optional(),
    /**
     * The grant's scope. It is what an ID token issued alone
     * (response_type=id_token, OIDC Core 3.2) leaves of the authorization.
     */
    scope: scope.optional(),
    iat: epochSeconds,
    exp: epochSeconds,
  }),
);

export const grantRevocationReason = z.enum([
  'client_request',
  'code_replay',
  /** A redemption of the code failed (wrong client, PKCE, redirect_uri, expiry): it is spent. */
  'code_misuse',
  'refresh_token_reuse',
  'session_ended',
  'admin',
  'user_deleted',
  'client_deleted',
]);
export type GrantRevocationReason = z.output<typeof grantRevocationReason>;

/** The whole grant: every token issued under it stops being active. */
export const GrantRevoked = defineEvent(
  'grant.revoked',
  1,
  z.object({
    grantId: id,
    clientId: id,
    sub: id.optional(),
    sid: id.optional(),
    reason: grantRevocationReason,
    /** Why detection revoked it, in the words the client was answered with (code_misuse). */
    detail: z.string().max(200).optional(),
    /** Latest expiry of anything issued under the grant: the deny-list TTL. */
    until: epochSeconds,
    /**
     * The access tokens still live when the grant was revoked, so a deny-list
     * or cache can drop them from this one event (a replica that missed the
     * issuing events still revokes them).
     */
    accessTokens: z
      .array(z.object({ jti: id, tokenHash: tokenHash.optional(), exp: epochSeconds }))
      .default([]),
    /** The refresh token that was current: it stops introspecting as active. */
    refreshTokenHash: tokenHash.optional(),
  }),
);

/**
 * How the server answers a rotated-away refresh token presented again
 * (RFC 9700 4.14.2: two parties hold the chain, one of them a thief):
 * `revoke_grant` revokes the grant; `end_session` also ends the SSO session
 * the grant belongs to, revoking every grant of it and telling every RP of
 * it (back-channel logout). ADR 0038.
 */
export const refreshReuseResponse = z.enum(['revoke_grant', 'end_session']);
export type RefreshReuseResponse = z.output<typeof refreshReuseResponse>;

/**
 * A rotated-away refresh token was presented again: the theft signal,
 * recorded once, before the revocations it causes (which carry this event's
 * id as their causation id and its correlation id). Names the presented
 * token by its keyed hash (refresh tokens are opaque and have no jti; the
 * token itself is never stored) and the caller's address.
 */
export const RefreshTokenReuseDetected = defineEvent(
  'grant.reuse_detected',
  1,
  z.object({
    grantId: id,
    clientId: id,
    sub: id.optional(),
    sid: id.optional(),
    /** Keyed hash of the refresh token presented (the rotated-away one). */
    presentedTokenHash: tokenHash,
    /** The caller's IP address as auth-api saw it (trusted-proxy rule, ADR 0016); absent if unknown. */
    ip: z.union([z.ipv4(), z.ipv6()]).optional(),
    /** The response the client's policy asked for (its metadata, else REFRESH_REUSE_RESPONSE). */
    policy: refreshReuseResponse,
    /**
     * The response carried out: the policy, except `end_session` on a grant
     * without an SSO session (nothing to end), which falls back to `revoke_grant`.
     */
    response: refreshReuseResponse,
  }),
);

/** One access token (RFC 7009 with an access token): the grant stays usable. */
export const AccessTokenRevoked = defineEvent(
  'grant.access_token_revoked',
  1,
  z.object({
    grantId: id,
    jti: id,
    /** Present for opaque tokens: the key their cache entries live under. */
    tokenHash: tokenHash.optional(),
    clientId: id,
    /** The grant's end-user and SSO session (absent for client_credentials, and in older events). */
    sub: id.optional(),
    sid: id.optional(),
    exp: epochSeconds,
    reason: grantRevocationReason,
  }),
);

export const grantEvents = [
  AuthorizationCodeIssued,
  AuthorizationCodeRedeemed,
  AccessTokenIssued,
  RefreshTokenIssued,
  IdTokenIssued,
  GrantRevoked,
  AccessTokenRevoked,
  RefreshTokenReuseDetected,
] as const;

export type GrantEvent =
  | EventOf<typeof AuthorizationCodeIssued>
  | EventOf<typeof AuthorizationCodeRedeemed>
  | EventOf<typeof AccessTokenIssued>
  | EventOf<typeof RefreshTokenIssued>
  | EventOf<typeof IdTokenIssued>
  | EventOf<typeof GrantRevoked>
  | EventOf<typeof AccessTokenRevoked>
  | EventOf<typeof RefreshTokenReuseDetected>;
