import type { TokenHistory, TokenInactiveReason } from '@idp/contracts';
import { describeGrantEnd, describeReason, describeTokenState } from './token-state-text';

const cause = { at: '2026-01-01T00:00:05.000Z', eventId: 'e-1', correlationId: 'req-1' };
const ids = ' [event e-1, correlation req-1]';

describe('token state in words (idp grants show --at)', () => {
  it.each<[TokenInactiveReason, string]>([
    [{ kind: 'not_recorded' }, 'no event of its grant records it'],
    [{ kind: 'not_yet_issued', issuedAt: cause.at }, `not yet issued (issued at ${cause.at})`],
    [{ kind: 'expired', at: cause.at }, `expired at ${cause.at}`],
    [
      { kind: 'revoked', ...cause, reason: 'client_request' },
      `revoked at ${cause.at} (client_request)${ids}`,
    ],
    [
      { kind: 'rotated', ...cause },
      `rotated at ${cause.at}: replaced by a newer refresh token${ids}`,
    ],
    [
      { kind: 'client_deleted', ...cause, actor: { kind: 'admin_token' }, clientId: 'rp' },
      `its client rp was deleted at ${cause.at} by the admin token${ids}`,
    ],
    [
      { kind: 'user_deleted', ...cause, actor: { kind: 'client', client_id: 'ops' }, sub: 'alice' },
      `its user alice was deleted at ${cause.at} by admin client ops${ids}`,
    ],
    [
      {
        kind: 'grant_revoked',
        ...cause,
        why: 'session_ended',
        session: { sid: 's1', ...cause, reason: 'rp_logout', initiatedBy: 'rp' },
      },
      `its grant was revoked at ${cause.at}, session_ended: session s1 ended at ${cause.at} (rp_logout, logout by client rp)${ids}`,
    ],
    [
      {
        kind: 'grant_revoked',
        ...cause,
        why: 'refresh_token_reuse',
        reuse: { ...cause, ip: '203.0.113.9' },
      },
      `its grant was revoked at ${cause.at}, refresh_token_reuse: reuse detected at ${cause.at} from 203.0.113.9${ids}`,
    ],
    [
      { kind: 'grant_revoked', ...cause, why: 'code_misuse', detail: 'PKCE verification failed' },
      `its grant was revoked at ${cause.at}, code_misuse (PKCE verification failed)${ids}`,
    ],
  ])('%j', (reason, text) => {
    expect(describeReason(reason)).toBe(text);
  });

  it('says active, or not active and why; and whether a grant had ended', () => {
    const token = {
      kind: 'refresh_token' as const,
      clientId: 'rp',
      scope: 'openid',
      issuedAt: cause.at,
      expiresAt: '2026-01-02T00:00:00.000Z',
      issuedBy: { eventId: 'e-0', streamVersion: 1 },
    };
    expect(describeTokenState({ at: cause.at, active: true, token })).toBe(
      `at ${cause.at}: the refresh token was active (expires at 2026-01-02T00:00:00.000Z)`,
    );
    expect(
      describeTokenState({
        at: cause.at,
        active: false,
        token,
        reason: { kind: 'expired', at: cause.at },
      }),
    ).toBe(`at ${cause.at}: the refresh token was not active: expired at ${cause.at}`);
    const grant = (endedBy?: TokenInactiveReason): TokenHistory => ({
      grantId: 'g',
      subject: 'grant',
      events: [],
      relatedEvents: [],
      grant: endedBy ? { endedBy } : {},
    });
    expect(describeGrantEnd(grant(), cause.at)).toBe(
      `at ${cause.at}: the grant had not been revoked, nor its client or user deleted`,
    );
    expect(
      describeGrantEnd(grant({ kind: 'grant_revoked', ...cause, why: 'admin' }), cause.at),
    ).toBe(
      `at ${cause.at}: the grant had ended: its grant was revoked at ${cause.at}, admin${ids}`,
    );
  });
});
