import { deciderSpec } from '@idp/testing';
import { grantDecider } from './grant.decider';
import {
  NOW,
  at,
  errorBody,
  refusal,
  h,
  history,
  invalidGrant,
  issueCode,
  redeem,
  stateAfter,
} from './grant.fixtures';
import { rejectionFor } from './rejection';

const spec = deciderSpec(grantDecider);

// RFC 6749 4.1.2: a code used twice is refused and its grant revoked.
describe('RedeemAuthorizationCode with a replayed code', () => {
  const redeemed = history(issueCode(), redeem());

  it('revokes the grant with every live token instead of throwing', () => {
    spec
      .given(redeemed)
      .when(redeem({ meta: at(NOW + 5) }))
      .then([
        {
          type: 'grant.revoked',
          data: {
            grantId: 'g1',
            clientId: 'rp',
            sub: 'alice',
            sid: 's1',
            reason: 'code_replay',
            until: NOW + 86_400,
            accessTokens: [{ jti: 'at1', tokenHash: h('at1'), exp: NOW + 3_600 }],
            refreshTokenHash: h('rt1'),
          },
        },
      ]);
  });

  it('is rejected with invalid_grant once the revocation is appended', () => {
    const events = grantDecider.decide(redeem(), stateAfter(issueCode(), redeem()));
    expect(
      errorBody(() => {
        throw rejectionFor(events);
      }),
    ).toEqual(invalidGrant('authorization code has already been used'));
  });

  it('still revokes after the code expired: a second use proves a leak', () => {
    spec
      .given(redeemed)
      .when(redeem({ meta: at(NOW + 600) }))
      .then([{ type: 'grant.revoked' }]);
  });

  it('revokes as well when the replay also fails PKCE or comes from another client, saying why', () => {
    const state = stateAfter(issueCode(), redeem());
    expect(refusal(() => grantDecider.decide(redeem({ codeVerifier: undefined }), state))).toEqual(
      invalidGrant('PKCE verification failed'),
    );
    expect(refusal(() => grantDecider.decide(redeem({ clientId: 'rp2' }), state))).toEqual(
      invalidGrant('authorization code is invalid'),
    );
    spec
      .given(redeemed)
      .when(redeem({ clientId: 'rp2' }))
      .then([{ type: 'grant.revoked', data: expect.objectContaining({ reason: 'code_misuse' }) }]);
  });

  it('is a plain invalid_grant once the grant is revoked (nothing more to append)', () => {
    const state = stateAfter(issueCode(), redeem(), redeem());
    expect(errorBody(() => grantDecider.decide(redeem(), state))).toEqual(
      invalidGrant('authorization code has been revoked'),
    );
  });
});
