import { RefreshTokenReuseDetected } from '@idp/contracts';
import { deciderSpec, specEventId } from '@idp/testing';
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
import { refreshReuseResponseFor } from './refresh-reuse-response';
import { rejectionFor } from './rejection';

const spec = deciderSpec(grantDecider);
const redeemed = [issueCode(), redeem()] as const;
const rotated = [...redeemed, refresh('rt1', 2)] as const;

/** What grant.revoked lists after the rotation: both access tokens and the current refresh token. */
const revokedAfterRotation = {
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
};

// RFC 9700 4.14.2: a rotated-away refresh token presented again is theft (ADR 0038).
describe('RefreshTokens with a rotated-away token', () => {
  it.each(['revoke_grant', 'end_session'] as const)(
    'under %s records one grant.reuse_detected, then revokes the grant as caused by it',
    (policy) => {
      spec
        .given(history(...rotated))
        .when(refresh('rt1', 3, { meta: at(NOW + 10), onReuse: policy, callerIp: '203.0.113.7' }))
        .then([
          {
            type: 'grant.reuse_detected',
            data: {
              grantId: 'g1',
              clientId: 'rp',
              sub: 'alice',
              sid: 's1',
              // The keyed hash of the presented (rotated-away) token, never the token.
              presentedTokenHash: h('rt1'),
              ip: '203.0.113.7',
              policy,
              response: policy,
            },
          },
          {
            type: 'grant.revoked',
            causationId: specEventId(1),
            data: revokedAfterRotation,
          },
        ]);
    },
  );

  it('falls back to revoke_grant when the grant has no session to end, and says so', () => {
    // An authorization without an SSO session (as an offline grant may outlive its own).
    const { sid: _sid, ...sessionless } = issueCode();
    const noSession = [sessionless, redeem(), refresh('rt1', 2)] as const;
    const events = grantDecider.decide(
      refresh('rt1', 3, { onReuse: 'end_session' }),
      stateAfter(...noSession),
    );
    expect(events.map((e) => e.type)).toEqual(['grant.reuse_detected', 'grant.revoked']);
    expect(events[0]!.data).toEqual({
      grantId: 'g1',
      clientId: 'rp',
      sub: 'alice',
      presentedTokenHash: h('rt1'),
      policy: 'end_session',
      response: 'revoke_grant',
    });
    expect(events[1]!.data).not.toHaveProperty('sid');
  });

  it('records no IP it was not given, and refuses one that is not an address', () => {
    const [detected] = grantDecider.decide(refresh('rt1', 3), stateAfter(...rotated));
    expect(detected!.data).not.toHaveProperty('ip');
    expect(() =>
      grantDecider.decide(refresh('rt1', 3, { callerIp: 'unknown' }), stateAfter(...rotated)),
    ).toThrow(/invalid grant.reuse_detected/);
  });

  it('carries the request correlation id on both events', () => {
    const events = grantDecider.decide(
      refresh('rt1', 3, { onReuse: 'end_session' }),
      stateAfter(...rotated),
    );
    expect(events.map((e) => e.correlationId)).toEqual(['corr-1', 'corr-1']);
    expect(events[0]!).not.toHaveProperty('causationId');
    expect(events[1]!.causationId).toBe(events[0]!.id);
    expect(
      RefreshTokenReuseDetected.is({ ...events[0]!, stream: 'grant-g1', streamVersion: 4 }),
    ).toBe(true);
  });

  it('is rejected with invalid_grant after the handler appends the events', () => {
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
      .then([
        { type: 'grant.reuse_detected' },
        {
          type: 'grant.revoked',
          causationId: specEventId(1),
          data: expect.objectContaining({ accessTokens: [] }),
        },
      ]);
  });

  it('revokes nothing, records nothing, when presented by another client', () => {
    for (const onReuse of ['revoke_grant', 'end_session'] as const)
      expect(
        rejects(refresh('rt1', 3, { clientId: 'rp2', onReuse }), stateAfter(...rotated)),
      ).toEqual(invalidGrant('refresh token is invalid'));
  });

  it('leaves the current token dead too once the grant is revoked, and records no second reuse', () => {
    const after = stateAfter(...rotated, refresh('rt1', 3, { onReuse: 'end_session' }));
    expect(rejects(refresh('rt2', 3), after)).toEqual(
      invalidGrant('refresh token has been revoked'),
    );
    expect(rejects(refresh('rt1', 3, { onReuse: 'end_session' }), after)).toEqual(
      invalidGrant('refresh token has been revoked'),
    );
  });

  it('is the loser of two refreshes racing with one token: decided again after the winner, it is reuse', () => {
    // The winner's rotation is appended first; the loser's append conflicts and is decided again.
    const afterWinner = stateAfter(...redeemed, refresh('rt1', 2));
    expect(
      grantDecider
        .decide(refresh('rt1', 3, { onReuse: 'end_session' }), afterWinner)
        .map((e) => e.type),
    ).toEqual(['grant.reuse_detected', 'grant.revoked']);
  });

  it('a reuse record changes nothing by itself: the revocation after it does', () => {
    const [detected] = grantDecider.decide(refresh('rt1', 3), stateAfter(...rotated));
    const before = stateAfter(...rotated);
    expect(
      grantDecider.evolve(before, { ...detected!, stream: 'grant-g1', streamVersion: 6 } as never),
    ).toBe(before);
  });
});

describe('refreshReuseResponseFor (client metadata, then REFRESH_REUSE_RESPONSE, then the kind of client)', () => {
  const publicClient = { token_endpoint_auth_method: 'none' } as const;
  const confidential = { token_endpoint_auth_method: 'client_secret_basic' } as const;

  it('defaults to end_session for public clients and revoke_grant for confidential ones', () => {
    expect(refreshReuseResponseFor(publicClient, undefined)).toBe('end_session');
    expect(refreshReuseResponseFor(confidential, undefined)).toBe('revoke_grant');
    for (const method of ['client_secret_post', 'client_secret_jwt', 'private_key_jwt'] as const)
      expect(refreshReuseResponseFor({ token_endpoint_auth_method: method }, undefined)).toBe(
        'revoke_grant',
      );
  });

  it('an explicit setting applies to every client that does not say otherwise', () => {
    for (const setting of ['revoke_grant', 'end_session'] as const) {
      expect(refreshReuseResponseFor(publicClient, setting)).toBe(setting);
      expect(refreshReuseResponseFor(confidential, setting)).toBe(setting);
    }
  });

  it("the client's refresh_reuse_response overrides both", () => {
    expect(
      refreshReuseResponseFor(
        { ...publicClient, refresh_reuse_response: 'revoke_grant' },
        'end_session',
      ),
    ).toBe('revoke_grant');
    expect(
      refreshReuseResponseFor(
        { ...confidential, refresh_reuse_response: 'end_session' },
        'revoke_grant',
      ),
    ).toBe('end_session');
    expect(
      refreshReuseResponseFor(
        { ...confidential, refresh_reuse_response: 'end_session' },
        undefined,
      ),
    ).toBe('end_session');
  });
});
