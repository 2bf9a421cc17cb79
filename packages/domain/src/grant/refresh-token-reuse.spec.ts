import { deciderSpec } from '@idp/testing';
import { grantDecider } from './grant.decider';
import {
  NOW,
  at,
  errorBody,
  h,
  history,
  invalidGrant,
  issueCode,
  redeem,
  refresh,
  rejects,
  stateAfter,
} from './grant.fixtures';
import { rejectionFor } from './rejection';

const spec = deciderSpec(grantDecider);
const redeemed = [issueCode(), redeem()] as const;

// RFC 9700 4.14.2: a rotated-away refresh token presented again revokes the grant.
describe('RefreshTokens with a rotated-away token', () => {
  const rotated = [...redeemed, refresh('rt1', 2)] as const;

  it('revokes the grant, listing the live tokens, instead of throwing', () => {
    spec
      .given(history(...rotated))
      .when(refresh('rt1', 3, { meta: at(NOW + 10) }))
      .then([
        {
          type: 'grant.revoked',
          data: {
            grantId: 'g1',
            clientId: 'rp',
            sub: 'alice',
            sid: 's1',
            reason: 'refresh_token_reuse',
            until: NOW + 2 * 86_400,
            accessTokens: [
              { jti: 'at1', tokenHash: h('at1'), exp: NOW + 3_600 },
              { jti: 'at2', tokenHash: h('at2'), exp: NOW + 3_600 },
            ],
            refreshTokenHash: h('rt2'),
          },
        },
      ]);
  });

  it('is rejected with invalid_grant after the handler appends the revocation', () => {
    const events = grantDecider.decide(refresh('rt1', 3), stateAfter(...rotated));
    expect(
      errorBody(() => {
        throw rejectionFor(events);
      }),
    ).toEqual(invalidGrant('refresh token has already been used'));
  });

  it('is detected even after the old token expired', () => {
    spec
      .given(history(...rotated))
      .when(refresh('rt1', 3, { meta: at(NOW + 90_000) }))
      .then([{ type: 'grant.revoked', data: expect.objectContaining({ accessTokens: [] }) }]);
  });

  it('revokes nothing when presented by another client', () => {
    expect(rejects(refresh('rt1', 3, { clientId: 'rp2' }), stateAfter(...rotated))).toEqual(
      invalidGrant('refresh token is invalid'),
    );
  });

  it('leaves the current token dead too once the grant is revoked', () => {
    const after = stateAfter(...rotated, refresh('rt1', 3));
    expect(rejects(refresh('rt2', 3), after)).toEqual(
      invalidGrant('refresh token has been revoked'),
    );
  });
});
