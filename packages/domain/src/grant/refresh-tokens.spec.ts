import { deciderSpec } from '@idp/testing';
import { grantDecider } from './grant.decider';
import {
  NOW,
  accessToken,
  at,
  h,
  history,
  invalidGrant,
  issueCode,
  redeem,
  refresh,
  rejects,
  stateAfter,
} from './grant.fixtures';

const spec = deciderSpec(grantDecider);
const redeemed = [issueCode(), redeem()] as const;

describe('RefreshTokens', () => {
  it('rotates: a new refresh token replaces the presented one, with a new access token', () => {
    const ids = { grantId: 'g1', clientId: 'rp', sub: 'alice', sid: 's1' };
    spec
      .given(history(...redeemed))
      .when(refresh('rt1', 2))
      .then([
        {
          type: 'grant.refresh_token_issued',
          data: {
            ...ids,
            tokenHash: h('rt2'),
            scope: 'openid profile offline_access',
            iat: NOW,
            exp: NOW + 2 * 86_400,
            replaces: h('rt1'),
            offline: true,
          },
        },
        {
          type: 'grant.access_token_issued',
          data: {
            ...ids,
            jti: 'at2',
            tokenHash: h('at2'),
            format: 'opaque',
            scope: 'openid profile offline_access',
            aud: ['https://api.example'],
            iat: NOW,
            exp: NOW + 3_600,
            extraClaims: { roles: ['admin'] },
          },
        },
      ]);
  });

  it('narrows only the access token; the new refresh token keeps the grant’s scope (RFC 6749 6)', () => {
    spec
      .given(history(...redeemed))
      .when(refresh('rt1', 2, { scope: 'profile openid' }))
      .then([
        {
          type: 'grant.refresh_token_issued',
          data: expect.objectContaining({ scope: 'openid profile offline_access' }),
        },
        {
          type: 'grant.access_token_issued',
          data: expect.objectContaining({ scope: 'profile openid' }),
        },
      ]);
  });

  it('may issue a new ID token', () => {
    const cmd = refresh('rt1', 2);
    spec
      .given(history(...redeemed))
      .when({ ...cmd, tokens: { ...cmd.tokens, idToken: { jti: 'id2', exp: NOW + 60 } } })
      .then([
        { type: 'grant.refresh_token_issued' },
        { type: 'grant.access_token_issued' },
        {
          type: 'grant.id_token_issued',
          data: expect.objectContaining({ jti: 'id2', sub: 'alice' }),
        },
      ]);
  });

  it('marks the refresh token online when offline_access was not granted', () => {
    spec
      .given(history(issueCode({ scope: 'openid' }), redeem()))
      .when(refresh('rt1', 2))
      .then([
        { type: 'grant.refresh_token_issued', data: expect.objectContaining({ offline: false }) },
        { type: 'grant.access_token_issued' },
      ]);
  });

  it('follows the chain: the latest token works, each time', () => {
    spec
      .given(history(...redeemed, refresh('rt1', 2)))
      .when(refresh('rt2', 3))
      .then([
        {
          type: 'grant.refresh_token_issued',
          data: expect.objectContaining({ replaces: h('rt2') }),
        },
        { type: 'grant.access_token_issued' },
      ]);
  });

  it('rejects a wider scope with invalid_scope', () => {
    expect(rejects(refresh('rt1', 2, { scope: 'openid email' }), stateAfter(...redeemed))).toEqual({
      error: 'invalid_scope',
      error_description: 'requested scope exceeds the scope originally granted',
      status: 400,
    });
  });

  describe('rejects with invalid_grant', () => {
    const state = stateAfter(...redeemed);
    it.each([
      ['an unknown token', refresh('nope', 2)],
      ['another client’s token', refresh('rt1', 2, { clientId: 'rp2' })],
      ['an access token hash', refresh('at1', 2)],
    ])('%s', (_, cmd) => {
      expect(rejects(cmd, state)).toEqual(invalidGrant('refresh token is invalid'));
    });

    it('an unknown grant, a grant whose code is not yet redeemed, a client_credentials grant', () => {
      const cc = stateAfter({
        type: 'IssueClientCredentialsToken',
        grantId: 'g1',
        clientId: 'rp',
        scope: 'api',
        accessToken: accessToken('cc1'),
        meta: at(),
      });
      for (const s of [{ status: 'empty' } as const, stateAfter(issueCode()), cc])
        expect(rejects(refresh('rt1', 2), s)).toEqual(invalidGrant('refresh token is invalid'));
    });

    it('an expired refresh token', () => {
      expect(rejects(refresh('rt1', 2, { meta: at(NOW + 86_400) }), state)).toEqual(
        invalidGrant('refresh token is expired'),
      );
    });

    it('a refresh token of a revoked grant', () => {
      const revoked = stateAfter(...redeemed, { type: 'RevokeGrant', reason: 'admin', meta: at() });
      expect(rejects(refresh('rt1', 2), revoked)).toEqual(
        invalidGrant('refresh token has been revoked'),
      );
    });
  });
});
