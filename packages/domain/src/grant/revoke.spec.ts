import { deciderSpec } from '@idp/testing';
import { DomainRuleError } from '../decider';
import type { IssueClientCredentialsToken, RevokeAccessToken, RevokeGrant } from './grant.commands';
import { grantDecider } from './grant.decider';
import { findTokenRole, tokenIsActive } from './grant.queries';
import {
  NOW,
  accessToken,
  at,
  errorBody,
  h,
  history,
  issueCode,
  redeem,
  refresh,
  stateAfter,
} from './grant.fixtures';

const spec = deciderSpec(grantDecider);
const redeemed = [issueCode(), redeem()] as const;
const revokeGrant = (over: Partial<RevokeGrant> = {}): RevokeGrant => ({
  type: 'RevokeGrant',
  reason: 'client_request',
  meta: at(),
  ...over,
});
const revokeAt = (jti: string, over: Partial<RevokeAccessToken> = {}): RevokeAccessToken => ({
  type: 'RevokeAccessToken',
  jti,
  meta: at(),
  ...over,
});
const clientCredentials: IssueClientCredentialsToken = {
  type: 'IssueClientCredentialsToken',
  grantId: 'g1',
  clientId: 'svc',
  scope: 'api:read',
  accessToken: accessToken('cc1', { format: 'jwt', tokenHash: undefined, extraClaims: {} }),
  meta: at(),
};
const notYours = {
  error: 'unauthorized_client',
  error_description: 'client is not authorized to revoke the presented token',
  status: 400,
};

describe('IssueClientCredentialsToken', () => {
  it('issues an access token without a subject under a fresh grant', () => {
    spec
      .given([])
      .when(clientCredentials)
      .then([
        {
          type: 'grant.access_token_issued',
          data: {
            grantId: 'g1',
            clientId: 'svc',
            jti: 'cc1',
            format: 'jwt',
            scope: 'api:read',
            aud: ['https://api.example'],
            iat: NOW,
            exp: NOW + 3_600,
            extraClaims: {},
          },
        },
      ]);
  });

  it('never reuses a grant id', () => {
    spec.given(history(clientCredentials)).when(clientCredentials).thenThrows(DomainRuleError);
  });
});

describe('RevokeGrant', () => {
  it('revokes the grant with its live tokens and the deny-list horizon', () => {
    spec
      .given(history(...redeemed, refresh('rt1', 2)))
      .when(revokeGrant({ requestedBy: 'rp', meta: at(NOW + 3_600) }))
      .then([
        {
          type: 'grant.revoked',
          data: {
            grantId: 'g1',
            clientId: 'rp',
            sub: 'alice',
            sid: 's1',
            reason: 'client_request',
            until: NOW + 2 * 86_400,
            accessTokens: [],
            refreshTokenHash: h('rt2'),
          },
        },
      ]);
  });

  it('revokes a code not yet redeemed (e.g. the session ended first)', () => {
    spec
      .given(history(issueCode()))
      .when(revokeGrant({ reason: 'session_ended' }))
      .then([{ type: 'grant.revoked', data: expect.objectContaining({ until: NOW + 60 }) }]);
  });

  it('is idempotent: nothing for an unknown or an already revoked grant', () => {
    spec.given([]).when(revokeGrant()).thenNothing();
    spec
      .given(history(...redeemed, revokeGrant()))
      .when(revokeGrant())
      .thenNothing();
  });

  it('refuses a client revoking another client’s grant (RFC 7009 2.1)', () => {
    const state = stateAfter(...redeemed);
    expect(
      errorBody(() => grantDecider.decide(revokeGrant({ requestedBy: 'rp2' }), state)),
    ).toEqual(notYours);
  });
});

describe('RevokeAccessToken', () => {
  it('revokes one access token and leaves the grant usable', () => {
    spec
      .given(history(...redeemed))
      .when(revokeAt('at1'))
      .then([
        {
          type: 'grant.access_token_revoked',
          data: {
            grantId: 'g1',
            jti: 'at1',
            tokenHash: h('at1'),
            clientId: 'rp',
            // The grant's user and session: Shared Signals subjects are built from them.
            sub: 'alice',
            sid: 's1',
            exp: NOW + 3_600,
            reason: 'client_request',
          },
        },
      ]);
    const state = stateAfter(...redeemed, revokeAt('at1'));
    expect(state.status).toBe('active');
    expect(tokenIsActive(state, findTokenRole(state, { jti: 'at1' }), NOW)).toBe(false);
    expect(tokenIsActive(state, findTokenRole(state, { tokenHash: h('rt1') }), NOW)).toBe(true);
  });

  it('revokes a client_credentials JWT by jti', () => {
    spec
      .given(history(clientCredentials))
      .when(revokeAt('cc1', { reason: 'admin' }))
      .then([
        {
          type: 'grant.access_token_revoked',
          data: { grantId: 'g1', jti: 'cc1', clientId: 'svc', exp: NOW + 3_600, reason: 'admin' },
        },
      ]);
  });

  it.each([
    ['an unknown grant', [] as const, revokeAt('at1')],
    ['an unknown jti', redeemed, revokeAt('nope')],
    ['an already revoked token', [...redeemed, revokeAt('at1')], revokeAt('at1')],
    ['an expired token', redeemed, revokeAt('at1', { meta: at(NOW + 3_600) })],
    ['a token of a revoked grant', [...redeemed, revokeGrant()], revokeAt('at1')],
  ])('is idempotent: nothing for %s', (_, given, cmd) => {
    spec
      .given(history(...given))
      .when(cmd)
      .thenNothing();
  });

  it('refuses a client revoking another client’s token', () => {
    const state = stateAfter(...redeemed);
    expect(
      errorBody(() => grantDecider.decide(revokeAt('at1', { requestedBy: 'rp2' }), state)),
    ).toEqual(notYours);
  });
});
