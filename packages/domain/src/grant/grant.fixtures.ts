// Test data for the grant specs (no jest globals here, so it also type-checks in the build).
import { sequentialIds, type GrantEvent, type PendingEvent } from '@idp/contracts';
import { sha256Base64url } from '@idp/crypto';
import { OAuthError } from '@idp/oauth-errors';
import { fold, stampMeta, type CommandMeta } from '../decider';
import type {
  AccessTokenSpec,
  AuthorizationCodeSpec,
  GrantCommand,
  IssueAuthorizationResponse,
  RedeemAuthorizationCode,
  RefreshTokens,
} from './grant.commands';
import { grantDecider } from './grant.decider';
import { rejectionFor } from './rejection';
import type { GrantState } from './grant.state';

/** A well-formed token hash (43 base64url characters) per label. */
export const h = (label: string): string => sha256Base64url(label);

export const NOW = 1_700_000_000;
/** Command meta at `now`: events occur then and take predictable ids (as deciderSpec stamps them). */
export const at = (now = NOW): CommandMeta =>
  stampMeta({ now, correlationId: 'corr-1' }, new Date(now * 1000).toISOString(), sequentialIds());
// RFC 7636 Appendix B (checked against the RFC text; see pkce.spec.ts).
export const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
export const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
export const REDIRECT = 'https://rp.example/cb';

type Authorization = Omit<IssueAuthorizationResponse, 'type' | 'code' | 'accessToken' | 'idToken'>;

/** The authorization's facts, without what the response carries. */
const authorization = (): Authorization => ({
  grantId: 'g1',
  clientId: 'rp',
  sub: 'alice',
  sid: 's1',
  scope: 'openid profile offline_access',
  redirectUri: REDIRECT,
  redirectUriSupplied: true,
  nonce: 'n-0S6_WzA2Mj',
  authTime: NOW - 30,
  acr: 'urn:idp:acr:pwd',
  amr: ['pwd'],
  meta: at(),
});

/** The code flow; overrides are flat (code fields and facts alike), as specs read best. */
export const issueCode = (
  over: Partial<Authorization & AuthorizationCodeSpec> = {},
): IssueAuthorizationResponse => {
  const all = {
    ...authorization(),
    codeHash: h('code'),
    exp: NOW + 60,
    codeChallenge: CHALLENGE,
    codeChallengeMethod: 'S256' as const,
    ...over,
  };
  const { codeHash, exp, codeChallenge, codeChallengeMethod, ...facts } = all;
  return {
    type: 'IssueAuthorizationResponse',
    ...facts,
    code: { codeHash, exp, codeChallenge, codeChallengeMethod },
  };
};

/**
 * An implicit or hybrid response (OIDC Core 3.2, 3.3): pass `code`,
 * `accessToken` and `idToken` as the response_type asks.
 */
export const issueResponse = (
  over: Partial<Omit<IssueAuthorizationResponse, 'type'>> = {},
): IssueAuthorizationResponse => ({
  type: 'IssueAuthorizationResponse',
  ...authorization(),
  ...over,
});

export const accessToken = (jti: string, over: Partial<AccessTokenSpec> = {}): AccessTokenSpec => ({
  jti,
  tokenHash: h(jti),
  format: 'opaque',
  aud: ['https://api.example'],
  exp: NOW + 3_600,
  extraClaims: { roles: ['admin'] },
  ...over,
});

export const redeem = (over: Partial<RedeemAuthorizationCode> = {}): RedeemAuthorizationCode => ({
  type: 'RedeemAuthorizationCode',
  codeHash: h('code'),
  clientId: 'rp',
  redirectUri: REDIRECT,
  codeVerifier: VERIFIER,
  tokens: {
    accessToken: accessToken('at1'),
    refreshToken: { tokenHash: h('rt1'), exp: NOW + 86_400 },
    idToken: { jti: 'id1', exp: NOW + 3_600 },
  },
  meta: at(),
  ...over,
});

/** Refreshing with `presented` mints access token `at<n>` and refresh token `rt<n>`. */
export const refresh = (
  presented: string,
  n: number,
  over: Partial<RefreshTokens> = {},
): RefreshTokens => ({
  type: 'RefreshTokens',
  presentedHash: h(presented),
  clientId: 'rp',
  onReuse: 'revoke_grant',
  tokens: {
    accessToken: accessToken(`at${n}`),
    refreshToken: { tokenHash: h(`rt${n}`), exp: NOW + 2 * 86_400 },
  },
  meta: at(),
  ...over,
});

/** Runs commands through the decider: what they append is a spec's history. */
export function history(...commands: GrantCommand[]): PendingEvent[] {
  const events: PendingEvent[] = [];
  let state = grantDecider.initialState();
  for (const command of commands) {
    for (const e of grantDecider.decide(command, state)) {
      events.push(e);
      state = grantDecider.evolve(state, stored(e, events.length));
    }
  }
  return events;
}

const stored = (e: PendingEvent, streamVersion: number): GrantEvent =>
  ({ ...e, stream: 'grant-g1', streamVersion }) as GrantEvent;

export const stateAfter = (...commands: GrantCommand[]): GrantState =>
  fold(
    grantDecider,
    history(...commands).map((e, i) => stored(e, i + 1)),
  );

/** The RFC 6749 5.2 body of what `run` threw, or the thrown value if it is no OAuthError. */
export function errorBody(run: () => unknown): unknown {
  try {
    run();
  } catch (e) {
    return e instanceof OAuthError ? { ...e.toJSON(), status: e.status } : e;
  }
  return 'nothing thrown';
}

/**
 * How a request fails, whichever way the decider says so: an exception, or
 * events the handler appends before it raises their rejection (a failed or
 * replayed redemption). 'nothing thrown' when it succeeds.
 */
export function refusal(run: () => readonly { type: string; data: unknown }[]): unknown {
  return errorBody(() => {
    const rejection = rejectionFor(run());
    if (rejection) throw rejection;
  });
}

/** The body errorBody returns for invalid_grant. */
export const invalidGrant = (description: string) => ({
  error: 'invalid_grant',
  error_description: description,
  status: 400,
});

/** The error body of deciding `command` on `state` (see errorBody). */
export const rejects = (command: GrantCommand, state: GrantState): unknown =>
  refusal(() => grantDecider.decide(command, state));
