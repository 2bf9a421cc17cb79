import { deciderSpec } from '@idp/testing';
import { DomainRuleError } from '../decider';
import { grantDecider } from './grant.decider';
import { CHALLENGE, NOW, errorBody, h, history, issueCode, stateAfter } from './grant.fixtures';
import { initialGrantState } from './grant.state';

const spec = deciderSpec(grantDecider);
const decide = grantDecider.decide;

describe('IssueAuthorizationResponse for the code flow', () => {
  it('records the code with everything the token endpoint will check', () => {
    spec
      .given([])
      .when(issueCode())
      .then([
        {
          type: 'grant.authorization_code_issued',
          data: {
            grantId: 'g1',
            codeHash: h('code'),
            clientId: 'rp',
            sub: 'alice',
            sid: 's1',
            scope: 'openid profile offline_access',
            redirectUri: 'https://rp.example/cb',
            redirectUriSupplied: true,
            codeChallenge: CHALLENGE,
            codeChallengeMethod: 'S256',
            nonce: 'n-0S6_WzA2Mj',
            authTime: NOW - 30,
            acr: 'urn:idp:acr:pwd',
            amr: ['pwd'],
            exp: NOW + 60,
          },
        },
      ]);
  });

  it('keeps the OIDC claims request for the ID token and userinfo', () => {
    const claimsRequest = { id_token: { email: { essential: true } }, userinfo: { name: null } };
    const state = stateAfter(issueCode({ claimsRequest }));
    expect(state).toMatchObject({ status: 'code_issued', claimsRequest });
  });

  it('treats a challenge without a method as plain (RFC 7636 4.3)', () => {
    const state = stateAfter(
      issueCode({ codeChallenge: 'a'.repeat(43), codeChallengeMethod: undefined }),
    );
    expect(state).toMatchObject({ codeChallengeMethod: 'plain' });
  });

  it('refuses a method without a challenge', () => {
    const cmd = issueCode({ codeChallenge: undefined, codeChallengeMethod: 'S256' });
    expect(errorBody(() => decide(cmd, initialGrantState()))).toEqual({
      error: 'invalid_request',
      error_description: 'code_challenge_method requires code_challenge',
      status: 400,
    });
  });

  it('refuses an S256 challenge that is not 43 base64url characters', () => {
    const cmd = issueCode({ codeChallenge: `${CHALLENGE}=` });
    expect(errorBody(() => decide(cmd, initialGrantState()))).toEqual({
      error: 'invalid_request',
      error_description: 'code_challenge is not a valid S256 challenge (RFC 7636 4.2)',
      status: 400,
    });
  });

  it('refuses a plain challenge shorter than 43 characters', () => {
    const cmd = issueCode({ codeChallenge: 'short', codeChallengeMethod: 'plain' });
    expect(errorBody(() => decide(cmd, initialGrantState()))).toMatchObject({
      error: 'invalid_request',
    });
  });

  it('never reuses a grant id', () => {
    spec.given(history(issueCode())).when(issueCode()).thenThrows(DomainRuleError);
  });

  it('refuses a code that is born expired (a clock bug upstream)', () => {
    spec
      .given([])
      .when(issueCode({ exp: NOW }))
      .thenThrows(/expiry must be in the future/);
  });
});
