import {
  AccessTokenIssued,
  AccessTokenRevoked,
  GrantRevoked,
  type ClaimsRequest,
  IdTokenIssued,
  RefreshTokenIssued,
  type GrantEvent,
  type GrantRevocationReason,
  type PendingEvent,
} from '@idp/contracts';
import { DomainRuleError, type CommandMeta, eventMeta } from '../decider';
import type { AccessTokenSpec, IdTokenSpec, RefreshTokenSpec } from './grant.commands';
import type { Grant, GrantFacts } from './grant.state';
import { hasScope } from './scope';

/** What `decide` returns for the grant stream. */
export type PendingGrantEvent = PendingEvent<GrantEvent['type'], GrantEvent['data']>;

type Owner = Pick<GrantFacts, 'grantId' | 'clientId' | 'sub' | 'sid'>;

const ids = (g: Owner) => ({
  grantId: g.grantId,
  clientId: g.clientId,
  ...(g.sub === undefined ? {} : { sub: g.sub }),
  ...(g.sid === undefined ? {} : { sid: g.sid }),
});

const subjectOf = (g: Owner): string => {
  // Only client_credentials grants lack a subject, and they get no refresh or ID token.
  if (g.sub === undefined) throw new DomainRuleError('grant.no_subject', 'grant has no end-user');
  return g.sub;
};

export function accessTokenIssued(
  g: Owner,
  scope: string,
  t: AccessTokenSpec,
  meta: CommandMeta,
  extras: {
    /** A token exchange's client, when it is not the grant's (RFC 8693). */
    readonly issuedTo?: string | undefined;
    /** The OIDC claims request of a grant born with this token (no code to hold it). */
    readonly claimsRequest?: ClaimsRequest | undefined;
  } = {},
): PendingGrantEvent {
  return AccessTokenIssued.create(
    {
      ...ids(g),
      jti: t.jti,
      ...(t.tokenHash === undefined ? {} : { tokenHash: t.tokenHash }),
      format: t.format,
      scope,
      aud: [...t.aud],
      iat: meta.now,
      exp: t.exp,
      extraClaims: { ...t.extraClaims },
      ...(t.cnf === undefined ? {} : { cnf: { ...t.cnf } }),
      ...(extras.issuedTo === undefined || extras.issuedTo === g.clientId
        ? {}
        : { issuedTo: extras.issuedTo }),
      ...(t.act === undefined ? {} : { act: t.act }),
      ...(extras.claimsRequest === undefined ? {} : { claimsRequest: extras.claimsRequest }),
    },
    eventMeta(meta),
  );
}

export function refreshTokenIssued(
  g: Owner,
  scope: string,
  t: RefreshTokenSpec,
  meta: CommandMeta,
  replaces?: string,
): PendingGrantEvent {
  return RefreshTokenIssued.create(
    {
      ...ids(g),
      sub: subjectOf(g),
      tokenHash: t.tokenHash,
      scope,
      iat: meta.now,
      exp: t.exp,
      ...(replaces === undefined ? {} : { replaces }),
      // OIDC Core 11: offline_access asks for a refresh token that outlives the session.
      offline: hasScope(scope, 'offline_access'),
      ...(t.cnf === undefined ? {} : { cnf: { ...t.cnf } }),
    },
    eventMeta(meta),
  );
}

export function idTokenIssued(
  g: Owner & Pick<GrantFacts, 'scope'>,
  t: IdTokenSpec,
  meta: CommandMeta,
): PendingGrantEvent {
  if (!hasScope(g.scope, 'openid'))
    throw new DomainRuleError('grant.not_openid', 'an ID token needs the openid scope');
  return IdTokenIssued.create(
    { ...ids(g), sub: subjectOf(g), scope: g.scope, jti: t.jti, iat: meta.now, exp: t.exp },
    eventMeta(meta),
  );
}

/**
 * One access token of the grant revoked; the grant's user and session go with
 * it, since Shared Signals receivers match their subjects on them (ADR 0035).
 */
export function accessTokenRevoked(
  g: Grant,
  token: { readonly jti: string; readonly tokenHash?: string | undefined; readonly exp: number },
  reason: GrantRevocationReason,
  meta: CommandMeta,
): PendingGrantEvent {
  return AccessTokenRevoked.create(
    {
      ...ids(g),
      jti: token.jti,
      ...(token.tokenHash === undefined ? {} : { tokenHash: token.tokenHash }),
      exp: token.exp,
      reason,
    },
    eventMeta(meta),
  );
}

/** Lists what is still live so every replica can deny it from this one event. */
export function grantRevoked(
  g: Grant,
  reason: GrantRevocationReason,
  meta: CommandMeta,
  detail?: string,
): PendingGrantEvent {
  const live = [...g.accessTokens.values()].filter((t) => !t.revoked && t.exp > meta.now);
  const refresh = g.refreshToken && g.refreshToken.exp > meta.now ? g.refreshToken : undefined;
  return GrantRevoked.create(
    {
      ...ids(g),
      reason,
      ...(detail === undefined ? {} : { detail }),
      until: g.until,
      accessTokens: live.map((t) => ({
        jti: t.jti,
        ...(t.tokenHash === undefined ? {} : { tokenHash: t.tokenHash }),
        exp: t.exp,
      })),
      ...(refresh ? { refreshTokenHash: refresh.hash } : {}),
    },
    eventMeta(meta),
  );
}
