import { AuthorizationCodeIssued, freshEventMeta } from '@idp/contracts';
import { deciderSpec } from '@idp/testing';
import { grantDecider } from './grant.decider';
import {
  NOW,
  REDIRECT,
  accessToken,
  errorBody,
  refusal,
  h,
  history,
  invalidGrant,
  issueCode,
  redeem,
  stateAfter,
} from './grant.fixtures';
import type { RedeemAuthorizationCode } from './grant.commands';
import { initialGrantState } from './grant.state';

const spec = deciderSpec(grantDecider);
const redeemed = [
  { type: 'grant.authorization_code_redeemed' },
  { type: 'grant.access_token_issued' },
];
// Without openid: OIDC requires redirect_uri, so only plain OAuth may omit it.
const omitted = issueCode({ scope: 'api:read', redirectUriSupplied: false });
const redeemOAuth = (redirectUri: string | undefined): RedeemAuthorizationCode =>
  redeem({ redirectUri, tokens: { accessToken: accessToken('at1') } });

// RFC 6749 4.1.3: "redirect_uri: REQUIRED, if the redirect_uri parameter was
// included in the authorization request, and their values MUST be identical."
describe('redirect_uri at the token endpoint', () => {
  describe('when the authorization request included it', () => {
    it('accepts the identical value', () => {
      spec
        .given(history(issueCode()))
        .when(redeem())
        .then([
          ...redeemed,
          { type: 'grant.refresh_token_issued' },
          { type: 'grant.id_token_issued' },
        ]);
    });

    it('requires it: a token request without one is invalid_grant', () => {
      const state = stateAfter(issueCode());
      expect(refusal(() => grantDecider.decide(redeem({ redirectUri: undefined }), state))).toEqual(
        invalidGrant('redirect_uri is required: the authorization request included it'),
      );
    });

    it('refuses any other value', () => {
      const state = stateAfter(issueCode());
      expect(
        refusal(() => grantDecider.decide(redeem({ redirectUri: `${REDIRECT}?x` }), state)),
      ).toEqual(invalidGrant('redirect_uri does not match the authorization request'));
    });
  });

  describe('when the authorization request omitted it (one registered URI, no openid)', () => {
    it('records that on the code', () => {
      spec
        .given([])
        .when(omitted)
        .then([
          {
            type: 'grant.authorization_code_issued',
            data: expect.objectContaining({ redirectUri: REDIRECT, redirectUriSupplied: false }),
          },
        ]);
    });

    it('lets the token request omit it too', () => {
      spec.given(history(omitted)).when(redeemOAuth(undefined)).then(redeemed);
    });

    it('accepts the registered URI the code went to, if sent anyway', () => {
      spec.given(history(omitted)).when(redeemOAuth(REDIRECT)).then(redeemed);
    });

    it('refuses another value: it is not where the code went', () => {
      expect(
        refusal(() => grantDecider.decide(redeemOAuth(`${REDIRECT}/`), stateAfter(omitted))),
      ).toEqual(invalidGrant('redirect_uri does not match the authorization request'));
    });
  });

  it('refuses to omit it in an OpenID Connect request (OIDC Core 3.1.2.1)', () => {
    const cmd = issueCode({ redirectUriSupplied: false });
    expect(errorBody(() => grantDecider.decide(cmd, initialGrantState()))).toEqual({
      error: 'invalid_request',
      error_description: 'redirect_uri is required in an OpenID Connect request',
      status: 400,
    });
  });

  it('reads codes recorded before the flag existed as "included" (the stricter rule)', () => {
    const legacy = AuthorizationCodeIssued.create(
      {
        grantId: 'g1',
        codeHash: h('code'),
        clientId: 'rp',
        sub: 'alice',
        scope: 'api:read',
        redirectUri: REDIRECT,
        authTime: NOW - 30,
        exp: NOW + 60,
      },
      freshEventMeta('c'),
    );
    expect(legacy.data.redirectUriSupplied).toBe(true);
    spec
      .given([legacy])
      .when(redeem({ redirectUri: undefined, codeVerifier: undefined }))
      .then([
        {
          type: 'grant.revoked',
          data: expect.objectContaining({
            reason: 'code_misuse',
            detail: 'redirect_uri is required: the authorization request included it',
          }),
        },
      ]);
  });
});
