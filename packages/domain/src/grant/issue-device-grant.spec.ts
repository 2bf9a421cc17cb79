import { DomainRuleError } from '../decider';
import { grantDecider } from './grant.decider';
import type { IssueDeviceGrant } from './grant.commands';
import { accessToken, at, h, NOW, stateAfter } from './grant.fixtures';
import { findTokenRole, tokenIsActive } from './grant.queries';
import { initialGrantState } from './grant.state';
import { revokeGrant } from './revoke';

const issue = (over: Partial<IssueDeviceGrant> = {}): IssueDeviceGrant => ({
  type: 'IssueDeviceGrant',
  grantId: 'g1',
  clientId: 'tv',
  sub: 'alice',
  sid: 's1',
  scope: 'openid offline_access',
  accessToken: accessToken('at1'),
  refreshToken: { tokenHash: h('rt1'), exp: NOW + 86_400 },
  idToken: { jti: 'id1', exp: NOW + 3_600 },
  meta: at(),
  ...over,
});

describe('IssueDeviceGrant (RFC 8628 3.5)', () => {
  it('records the access, refresh and ID token of the session that approved', () => {
    const events = grantDecider.decide(issue(), initialGrantState());
    expect(events.map((e) => e.type)).toEqual([
      'grant.access_token_issued',
      'grant.refresh_token_issued',
      'grant.id_token_issued',
    ]);
    for (const e of events)
      expect(e.data).toMatchObject({ grantId: 'g1', sub: 'alice', sid: 's1' });
  });

  it('issues no ID token without openid, and no refresh token unless asked', () => {
    const { refreshToken: _rt, idToken: _id, ...bare } = issue({ scope: 'profile' });
    const events = grantDecider.decide(bare, initialGrantState());
    expect(events.map((e) => e.type)).toEqual(['grant.access_token_issued']);
    expect(() => grantDecider.decide(issue({ scope: 'profile' }), initialGrantState())).toThrow(
      DomainRuleError,
    );
  });

  it('makes an active grant whose tokens a session logout revokes', () => {
    const state = stateAfter(issue());
    expect(state.status).toBe('active');
    expect(tokenIsActive(state, findTokenRole(state, { jti: 'at1' })!, NOW)).toBe(true);
    const revoked = revokeGrant(
      { type: 'RevokeGrant', reason: 'session_ended', meta: at() },
      state,
    );
    expect(revoked[0]).toMatchObject({ type: 'grant.revoked', data: { sid: 's1' } });
  });

  it('never reuses a grant id', () => {
    expect(() => grantDecider.decide(issue(), stateAfter(issue()))).toThrow(/already exists/);
  });
});
