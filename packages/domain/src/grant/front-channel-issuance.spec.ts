import { deciderSpec } from '@idp/testing';
import { DomainRuleError } from '../decider';
import { grantDecider } from './grant.decider';
import {
  CHALLENGE,
  NOW,
  accessToken,
  errorBody,
  h,
  history,
  issueCode,
  issueResponse,
  stateAfter,
} from './grant.fixtures';
import { findTokenRole, tokenIsActive } from './grant.queries';
import { initialGrantState } from './grant.state';

const spec = deciderSpec(grantDecider);
const ids = { grantId: 'g1', clientId: 'rp', sub: 'alice', sid: 's1' };
const scope = 'openid profile offline_access';
const code = {
  codeHash: h('code'),
  exp: NOW + 60,
  codeChallenge: CHALLENGE,
  codeChallengeMethod: 'S256' as const,
};
const frontToken = accessToken('fat1');
const idToken = { jti: 'fid1', exp: NOW + 3_600 };

const accessTokenIssued = {
  type: 'grant.access_token_issued',
  data: {
    ...ids,
    jti: 'fat1',
    tokenHash: h('fat1'),
    format: 'opaque',
    scope,
    aud: ['https://api.example'],
    iat: NOW,
    exp: NOW + 3_600,
    extraClaims: { roles: ['admin'] },
  },
};
const idTokenIssued = {
  type: 'grant.id_token_issued',
  data: { ...ids, scope, jti: 'fid1', iat: NOW, exp: NOW + 3_600 },
};
const codeIssued = { type: 'grant.authorization_code_issued' };

/** Whether the front-channel access token introspects active / works at /userinfo. */
const frontTokenActive = (...parts: Parameters<typeof issueResponse>) => {
  const state = stateAfter(issueResponse(...parts));
  return tokenIsActive(state, findTokenRole(state, { tokenHash: h('fat1') }), NOW);
};

// OIDC Core 3.2 (implicit) and 3.3 (hybrid): one grant per authorization
// response, each part recorded as the event it is everywhere else.
describe('IssueAuthorizationResponse for the implicit and hybrid flows', () => {
  it('response_type=id_token records the ID token alone, with the scope its claims came from', () => {
    spec.given([]).when(issueResponse({ idToken })).then([idTokenIssued]);
    expect(stateAfter(issueResponse({ idToken }))).toMatchObject({
      status: 'active',
      sub: 'alice',
      scope,
      until: NOW + 3_600,
    });
  });

  it('response_type=id_token token: the access token, then the ID token; the token is live', () => {
    spec
      .given([])
      .when(issueResponse({ accessToken: frontToken, idToken }))
      .then([accessTokenIssued, idTokenIssued]);
    expect(frontTokenActive({ accessToken: frontToken, idToken })).toBe(true);
    // /userinfo needs the grant's subject, which the implicit grant takes from the token.
    expect(stateAfter(issueResponse({ accessToken: frontToken }))).toMatchObject({
      sub: 'alice',
      sid: 's1',
    });
  });

  it('response_type=code id_token: code then ID token; nothing introspects until redemption', () => {
    spec.given([]).when(issueResponse({ code, idToken })).then([codeIssued, idTokenIssued]);
    expect(stateAfter(issueResponse({ code, idToken }))).toMatchObject({
      status: 'code_issued',
      code: { redeemed: false },
      until: NOW + 3_600,
    });
  });

  it('response_type=code token: the front-channel token is live before the code is redeemed', () => {
    spec
      .given([])
      .when(issueResponse({ code, accessToken: frontToken }))
      .then([codeIssued, accessTokenIssued]);
    expect(stateAfter(issueResponse({ code, accessToken: frontToken }))).toMatchObject({
      status: 'active',
      code: { redeemed: false },
    });
    expect(frontTokenActive({ code, accessToken: frontToken })).toBe(true);
  });

  it('response_type=code id_token token: all three, code first', () => {
    spec
      .given([])
      .when(issueResponse({ code, accessToken: frontToken, idToken }))
      .then([codeIssued, accessTokenIssued, idTokenIssued]);
  });

  it.each([
    ['id_token', { idToken }],
    ['id_token token', { accessToken: frontToken, idToken }],
    ['code token', { code, accessToken: frontToken }],
    ['code id_token token', { code, accessToken: frontToken, idToken }],
  ])('never issues a refresh token from the authorization endpoint (%s)', (_, parts) => {
    const types = history(issueResponse(parts)).map((e) => e.type);
    expect(types).not.toContain('grant.refresh_token_issued');
  });

  it.each([
    ['an ID token', { idToken }],
    ['an access token', { code, accessToken: frontToken }],
  ])('requires a nonce when %s goes through the browser', (_, parts) => {
    const cmd = issueResponse({ ...parts, nonce: undefined });
    expect(errorBody(() => grantDecider.decide(cmd, initialGrantState()))).toEqual({
      error: 'invalid_request',
      error_description: 'nonce is required for the implicit and hybrid flows',
      status: 400,
    });
  });

  it('lets the code flow go without a nonce (OIDC Core 3.1.2.1: optional there)', () => {
    spec
      .given([])
      .when(issueCode({ nonce: undefined }))
      .then([codeIssued]);
  });

  it('refuses a response with nothing in it (a caller bug)', () => {
    spec.given([]).when(issueResponse()).thenThrows(DomainRuleError);
  });

  it('refuses an ID token without the openid scope (a caller bug: the edge checks scope)', () => {
    spec
      .given([])
      .when(issueResponse({ idToken, scope: 'profile' }))
      .thenThrows(/needs the openid scope/);
  });

  it('checks the code of a hybrid response like any other', () => {
    spec
      .given([])
      .when(issueResponse({ code: { ...code, exp: NOW }, idToken }))
      .thenThrows(/expiry must be in the future/);
    spec
      .given(history(issueResponse({ idToken })))
      .when(issueResponse({ idToken }))
      .thenThrows(DomainRuleError);
  });
});
