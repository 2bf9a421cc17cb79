import { GrantRevoked, freshEventMeta } from '@idp/contracts';
import { findTokenRole, grantIsActive, tokenIsActive } from './grant.queries';
import { NOW, accessToken, at, h, issueCode, redeem, refresh, stateAfter } from './grant.fixtures';
import { rejectionFor } from './rejection';

const active = stateAfter(issueCode(), redeem(), refresh('rt1', 2));

describe('grant queries', () => {
  it('finds every role a presented token can play', () => {
    expect(findTokenRole(active, { tokenHash: h('at2') })).toMatchObject({
      role: 'access_token',
      token: { jti: 'at2', scope: 'openid profile offline_access', revoked: false },
    });
    expect(findTokenRole(active, { jti: 'at1' })).toMatchObject({ role: 'access_token' });
    expect(findTokenRole(active, { tokenHash: h('rt2') })).toMatchObject({ role: 'refresh_token' });
    expect(findTokenRole(active, { tokenHash: h('rt1') })).toEqual({
      role: 'rotated_refresh_token',
    });
    expect(findTokenRole(active, { tokenHash: h('code') })).toEqual({
      role: 'authorization_code',
      exp: NOW + 60,
      redeemed: true,
    });
    expect(findTokenRole(active, { tokenHash: h('nope') })).toBeUndefined();
    expect(findTokenRole({ status: 'empty' }, { jti: 'at1' })).toBeUndefined();
  });

  it('reports active only for live access and current refresh tokens', () => {
    const role = (tokenHash: string) => findTokenRole(active, { tokenHash });
    expect(tokenIsActive(active, role(h('at2')), NOW)).toBe(true);
    expect(tokenIsActive(active, role(h('at2')), NOW + 3_600)).toBe(false);
    expect(tokenIsActive(active, role(h('rt2')), NOW + 3_600)).toBe(true);
    expect(tokenIsActive(active, role(h('rt1')), NOW)).toBe(false);
    expect(tokenIsActive(active, role(h('code')), NOW)).toBe(false);
    expect(tokenIsActive(active, undefined, NOW)).toBe(false);
  });

  it('reports nothing active once the grant is revoked', () => {
    const revoked = stateAfter(issueCode(), redeem(), {
      type: 'RevokeGrant',
      reason: 'session_ended',
      meta: at(),
    });
    expect(tokenIsActive(revoked, findTokenRole(revoked, { jti: 'at1' }), NOW)).toBe(false);
    expect(grantIsActive(revoked, NOW)).toBe(false);
  });

  it('calls a grant active while something issued under it lives', () => {
    expect(grantIsActive(active, NOW)).toBe(true);
    expect(grantIsActive(active, NOW + 2 * 86_400)).toBe(false);
    expect(grantIsActive(stateAfter(issueCode()), NOW)).toBe(false);
  });

  it('forgets access tokens that expired before a newer one was issued', () => {
    const later = refresh('rt2', 3, {
      meta: at(NOW + 7_200),
      tokens: {
        accessToken: accessToken('at3', { exp: NOW + 9_000 }),
        refreshToken: { tokenHash: h('rt3'), exp: NOW + 9_000 },
      },
    });
    const state = stateAfter(issueCode(), redeem(), refresh('rt1', 2), later);
    expect(state.status === 'active' && [...state.accessTokens.keys()]).toEqual(['at3']);
    // `until` never shrinks: the rt2 chain already promised NOW + 2 days.
    expect(state.status === 'active' && state.until).toBe(NOW + 2 * 86_400);
  });
});

describe('rejectionFor', () => {
  const revoked = (reason: 'admin' | 'code_replay') =>
    GrantRevoked.create({ grantId: 'g1', clientId: 'rp', reason, until: NOW }, freshEventMeta('c'));

  it('rejects only for detected replay or reuse', () => {
    expect(rejectionFor([])).toBeUndefined();
    expect(rejectionFor([revoked('admin')])).toBeUndefined();
    expect(rejectionFor([revoked('code_replay')])?.toJSON()).toEqual({
      error: 'invalid_grant',
      error_description: 'authorization code has already been used',
    });
  });
});
