import { deciderSpec } from '@idp/testing';
import type { RevokeAccessToken, RevokeGrant } from './grant.commands';
import { grantDecider } from './grant.decider';
import {
  CHALLENGE,
  NOW,
  accessToken,
  at,
  errorBody,
  refusal,
  h,
  history,
  invalidGrant,
  issueResponse,
  redeem,
  stateAfter,
} from './grant.fixtures';
import { findTokenRole, tokenIsActive } from './grant.queries';

const spec = deciderSpec(grantDecider);
// response_type=code id_token token (OIDC Core 3.3): a code plus tokens through the browser.
const hybrid = issueResponse({
  code: {
    codeHash: h('code'),
    exp: NOW + 60,
    codeChallenge: CHALLENGE,
    codeChallengeMethod: 'S256' as const,
  },
  accessToken: accessToken('fat1'),
  idToken: { jti: 'fid1', exp: NOW + 3_600 },
});
const revokeGrant: RevokeGrant = { type: 'RevokeGrant', reason: 'client_request', meta: at() };
const revokeFrontToken: RevokeAccessToken = { type: 'RevokeAccessToken', jti: 'fat1', meta: at() };
const live = (jti: string, ...commands: Parameters<typeof stateAfter>) => {
  const state = stateAfter(...commands);
  return tokenIsActive(state, findTokenRole(state, { jti }), NOW + 1);
};

describe('RedeemAuthorizationCode for a hybrid grant', () => {
  it('redeems the code once, like a code-flow code, and keeps the front-channel token', () => {
    spec
      .given(history(hybrid))
      .when(redeem())
      .then([
        { type: 'grant.authorization_code_redeemed' },
        { type: 'grant.access_token_issued', data: expect.objectContaining({ jti: 'at1' }) },
        { type: 'grant.refresh_token_issued' },
        { type: 'grant.id_token_issued', data: expect.objectContaining({ jti: 'id1' }) },
      ]);
    expect(live('fat1', hybrid, redeem())).toBe(true);
    expect(live('at1', hybrid, redeem())).toBe(true);
  });

  it('answers a replay by revoking every access token, the front-channel one included', () => {
    spec
      .given(history(hybrid, redeem()))
      .when(redeem({ meta: at(NOW + 5) }))
      .then([
        {
          type: 'grant.revoked',
          data: expect.objectContaining({
            reason: 'code_replay',
            accessTokens: [
              { jti: 'fat1', tokenHash: h('fat1'), exp: NOW + 3_600 },
              { jti: 'at1', tokenHash: h('at1'), exp: NOW + 3_600 },
            ],
            refreshTokenHash: h('rt1'),
          }),
        },
      ]);
    expect(live('fat1', hybrid, redeem(), redeem())).toBe(false);
  });

  it('keeps the code redeemable when only the front-channel token is revoked (RFC 7009)', () => {
    spec
      .given(history(hybrid, revokeFrontToken))
      .when(redeem())
      .then([
        { type: 'grant.authorization_code_redeemed' },
        { type: 'grant.access_token_issued' },
        { type: 'grant.refresh_token_issued' },
        { type: 'grant.id_token_issued' },
      ]);
  });

  it('refuses the code once the whole grant is revoked, and the revocation named the front token', () => {
    const [revoked] = history(hybrid, revokeGrant).slice(-1);
    expect(revoked?.data).toMatchObject({ accessTokens: [{ jti: 'fat1' }] });
    expect(errorBody(() => grantDecider.decide(redeem(), stateAfter(hybrid, revokeGrant)))).toEqual(
      invalidGrant('authorization code has been revoked'),
    );
  });

  it('still checks PKCE: the code is no weaker for having come with tokens, which it takes along', () => {
    const events = grantDecider.decide(redeem({ codeVerifier: undefined }), stateAfter(hybrid));
    expect(refusal(() => events)).toEqual(invalidGrant('PKCE verification failed'));
    expect(events).toEqual([
      expect.objectContaining({
        type: 'grant.revoked',
        data: expect.objectContaining({
          reason: 'code_misuse',
          accessTokens: [expect.objectContaining({ jti: 'fat1' })],
        }),
      }),
    ]);
  });
});
