import { deciderSpec } from '@idp/testing';
import { grantDecider } from './grant.decider';
import {
  CHALLENGE,
  NOW,
  REDIRECT,
  VERIFIER,
  accessToken,
  at,
  errorBody,
  h,
  history,
  invalidGrant,
  issueCode,
  redeem,
  refusal,
  stateAfter,
} from './grant.fixtures';
import type { RedeemAuthorizationCode } from './grant.commands';

const spec = deciderSpec(grantDecider);
const issued = history(issueCode());
const afterIssue = stateAfter(issueCode());
const redeemWith = (over: Partial<RedeemAuthorizationCode>) =>
  refusal(() => grantDecider.decide(redeem(over), afterIssue));

describe('RedeemAuthorizationCode', () => {
  it('consumes the code and issues access, refresh and ID tokens', () => {
    const ids = { grantId: 'g1', clientId: 'rp', sub: 'alice', sid: 's1' };
    spec
      .given(issued)
      .when(redeem())
      .then([
        {
          type: 'grant.authorization_code_redeemed',
          data: { grantId: 'g1', codeHash: h('code'), clientId: 'rp' },
        },
        {
          type: 'grant.access_token_issued',
          data: {
            ...ids,
            jti: 'at1',
            tokenHash: h('at1'),
            format: 'opaque',
            scope: 'openid profile offline_access',
            aud: ['https://api.example'],
            iat: NOW,
            exp: NOW + 3_600,
            extraClaims: { roles: ['admin'] },
          },
        },
        {
          type: 'grant.refresh_token_issued',
          data: {
            ...ids,
            tokenHash: h('rt1'),
            scope: 'openid profile offline_access',
            iat: NOW,
            exp: NOW + 86_400,
            offline: true,
          },
        },
        {
          type: 'grant.id_token_issued',
          data: {
            ...ids,
            scope: 'openid profile offline_access',
            jti: 'id1',
            iat: NOW,
            exp: NOW + 3_600,
          },
        },
      ]);
  });

  it('issues only an access token when no refresh or ID token is asked for', () => {
    spec
      .given(issued)
      .when(redeem({ tokens: { accessToken: accessToken('at1') } }))
      .then([{ type: 'grant.authorization_code_redeemed' }, { type: 'grant.access_token_issued' }]);
  });

  it('accepts a plain verifier only for a code issued with plain', () => {
    const plain = history(issueCode({ codeChallenge: VERIFIER, codeChallengeMethod: 'plain' }));
    spec
      .given(plain)
      .when(redeem())
      .then([
        { type: 'grant.authorization_code_redeemed' },
        { type: 'grant.access_token_issued' },
        { type: 'grant.refresh_token_issued' },
        { type: 'grant.id_token_issued' },
      ]);
    // The S256 challenge itself is no verifier for an S256 code.
    expect(redeemWith({ codeVerifier: CHALLENGE })).toEqual(
      invalidGrant('PKCE verification failed'),
    );
  });

  it('accepts a code issued without PKCE when no verifier comes', () => {
    spec
      .given(history(issueCode({ codeChallenge: undefined, codeChallengeMethod: undefined })))
      .when(redeem({ codeVerifier: undefined }))
      .then([
        { type: 'grant.authorization_code_redeemed' },
        { type: 'grant.access_token_issued' },
        { type: 'grant.refresh_token_issued' },
        { type: 'grant.id_token_issued' },
      ]);
  });

  describe('rejects with invalid_grant', () => {
    it('an unknown grant', () => {
      expect(errorBody(() => grantDecider.decide(redeem(), { status: 'empty' }))).toEqual(
        invalidGrant('authorization code is invalid'),
      );
    });

    it('a code that is not this grant’s', () => {
      expect(redeemWith({ codeHash: h('other') })).toEqual(
        invalidGrant('authorization code is invalid'),
      );
    });

    it('another client’s code, with the same words as an unknown one', () => {
      expect(redeemWith({ clientId: 'rp2' })).toEqual(
        invalidGrant('authorization code is invalid'),
      );
    });

    it('an expired code', () => {
      expect(redeemWith({ meta: at(NOW + 60) })).toEqual(
        invalidGrant('authorization code is expired'),
      );
    });

    it.each([
      ['with a trailing slash', `${REDIRECT}/`],
      ['in another case', REDIRECT.toUpperCase()],
    ])('a redirect_uri %s', (_, redirectUri) => {
      expect(redeemWith({ redirectUri })).toEqual(
        invalidGrant('redirect_uri does not match the authorization request'),
      );
    });

    it.each([
      ['a wrong verifier', `${VERIFIER.slice(0, -1)}B`],
      ['no verifier for a code with a challenge', undefined],
    ])('PKCE with %s', (_, codeVerifier) => {
      expect(redeemWith({ codeVerifier })).toEqual(invalidGrant('PKCE verification failed'));
    });

    it('a verifier for a code issued without a challenge (PKCE downgrade, RFC 9700 2.1.1)', () => {
      const noPkce = stateAfter(
        issueCode({ codeChallenge: undefined, codeChallengeMethod: undefined }),
      );
      expect(refusal(() => grantDecider.decide(redeem(), noPkce))).toEqual(
        invalidGrant('PKCE verification failed'),
      );
    });
  });

  describe('a failed redemption spends the code (issue #13, defect 3)', () => {
    const misuse = (over: Partial<RedeemAuthorizationCode>, detail: string) =>
      spec
        .given(issued)
        .when(redeem(over))
        .then([
          {
            type: 'grant.revoked',
            data: expect.objectContaining({ reason: 'code_misuse', detail }),
          },
        ]);

    it.each([
      [
        'a wrong verifier',
        { codeVerifier: `${VERIFIER.slice(0, -1)}B` },
        'PKCE verification failed',
      ],
      ['no verifier', { codeVerifier: undefined }, 'PKCE verification failed'],
      [
        'a wrong redirect_uri',
        { redirectUri: `${REDIRECT}/` },
        'redirect_uri does not match the authorization request',
      ],
      ['another client', { clientId: 'rp2' }, 'authorization code is invalid'],
      ['an expired code', { meta: at(NOW + 60) }, 'authorization code is expired'],
    ] as const)('%s revokes the grant, recording why', (_, over, detail) => {
      misuse(over as Partial<RedeemAuthorizationCode>, detail);
    });

    it('so the right verifier afterwards meets a revoked code', () => {
      const afterFailure = stateAfter(issueCode(), redeem({ codeVerifier: undefined }));
      expect(afterFailure.status).toBe('revoked');
      expect(refusal(() => grantDecider.decide(redeem(), afterFailure))).toEqual(
        invalidGrant('authorization code has been revoked'),
      );
    });

    it('appends nothing for a code that is not the grant’s or a malformed verifier', () => {
      expect(grantDecider.decide.bind(null, redeem({ codeHash: h('other') }), afterIssue)).toThrow(
        'authorization code is invalid',
      );
      expect(grantDecider.decide.bind(null, redeem({ codeVerifier: 'short' }), afterIssue)).toThrow(
        'code_verifier must be',
      );
    });
  });

  it.each([
    ['too short', VERIFIER.slice(0, 42)],
    ['with a character outside [A-Za-z0-9-._~]', `${VERIFIER.slice(0, 42)}+`],
    ['too long', 'a'.repeat(129)],
  ])('rejects a code_verifier %s with invalid_request', (_, codeVerifier) => {
    expect(redeemWith({ codeVerifier })).toEqual({
      error: 'invalid_request',
      error_description: 'code_verifier must be 43 to 128 characters of [A-Za-z0-9-._~]',
      status: 400,
    });
  });

  it('refuses an ID token for a grant without openid (an internal bug, not a protocol error)', () => {
    spec
      .given(history(issueCode({ scope: 'profile' })))
      .when(redeem())
      .thenThrows(/needs the openid scope/);
  });
});
