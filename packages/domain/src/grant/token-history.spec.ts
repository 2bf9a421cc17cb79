import {
  AccessTokenIssued,
  AccessTokenRevoked,
  AuthorizationCodeIssued,
  AuthorizationCodeRedeemed,
  ClientDeleted,
  GrantRevoked,
  RefreshTokenIssued,
  SessionEnded,
  SessionStarted,
  UserDeleted,
  type Actor,
  type EventEnvelope,
  type PendingEvent,
} from '@idp/contracts';
import { isoInstant } from '../instant';
import { h, REDIRECT } from './grant.fixtures';
import {
  historyEvent,
  tokenHistory,
  tokenStateAt,
  type TokenHistorySources,
} from './token-history';

const T0 = 1_700_000_000;
/** Epoch ms `s` seconds after T0. */
const t = (s: number) => (T0 + s) * 1000;
const iso = (s: number) => new Date(t(s)).toISOString();

let ids = 0;
const meta = (s: number, extra: { correlationId?: string; actor?: Actor } = {}) => ({
  id: `00000000-0000-7000-8000-${String(++ids).padStart(12, '0')}`,
  occurredAt: iso(s),
  correlationId: extra.correlationId ?? `req-${ids}`,
  ...(extra.actor ? { actor: extra.actor } : {}),
});
/** Pending events (with an actor when given) as stored: numbered in one stream. */
const stream = (name: string, events: (PendingEvent & { actor?: Actor })[]): EventEnvelope[] =>
  events.map((e, i) => ({ ...e, stream: name, streamVersion: i + 1 }));
const withActor = <E extends PendingEvent>(e: E, actor: Actor) => ({ ...e, actor });

const common = { grantId: 'g1', clientId: 'rp', sub: 'alice', sid: 's1' };
const accessIssued = (s: number, jti: string, over: { tokenHash?: string; exp?: number } = {}) =>
  AccessTokenIssued.create(
    {
      ...common,
      jti,
      ...(over.tokenHash
        ? { tokenHash: over.tokenHash, format: 'opaque' as const }
        : { format: 'jwt' as const }),
      scope: 'openid',
      aud: ['rp'],
      iat: T0 + s,
      exp: over.exp ?? T0 + s + 3600,
    },
    meta(s),
  );
const refreshIssued = (s: number, hash: string, replaces?: string) =>
  RefreshTokenIssued.create(
    {
      ...common,
      tokenHash: hash,
      scope: 'openid',
      iat: T0 + s,
      exp: T0 + s + 86_400,
      ...(replaces ? { replaces } : {}),
    },
    meta(s),
  );
const grantRevoked = (
  s: number,
  reason: 'session_ended' | 'admin' | 'refresh_token_reuse' | 'client_request',
  m = meta(s),
) =>
  GrantRevoked.create(
    {
      ...common,
      reason,
      until: T0 + 90_000,
      accessTokens: [{ jti: 'g1.at2', tokenHash: h('at2'), exp: T0 + 3700 }],
      refreshTokenHash: h('rt2'),
    },
    m,
  );

/** The code flow, a refresh, one access token revoked, then logout. */
function lifecycle(): TokenHistorySources {
  return {
    grant: stream('grant-g1', [
      AuthorizationCodeIssued.create(
        {
          ...common,
          codeHash: h('code'),
          scope: 'openid',
          redirectUri: REDIRECT,
          authTime: T0 - 30,
          exp: T0 + 60,
        },
        meta(0),
      ),
      AuthorizationCodeRedeemed.create(
        { grantId: 'g1', codeHash: h('code'), clientId: 'rp' },
        meta(5),
      ),
      accessIssued(5, 'g1.at1'),
      refreshIssued(5, h('rt1')),
      refreshIssued(100, h('rt2'), h('rt1')),
      accessIssued(100, 'g1.at2', { tokenHash: h('at2') }),
      AccessTokenRevoked.create(
        {
          grantId: 'g1',
          jti: 'g1.at2',
          tokenHash: h('at2'),
          clientId: 'rp',
          exp: T0 + 3700,
          reason: 'client_request',
        },
        meta(200, { correlationId: 'revoke-req' }),
      ),
      grantRevoked(300, 'session_ended', meta(300, { correlationId: 'logout-req' })),
    ]),
    session: stream('session-s1', [
      SessionStarted.create(
        {
          sid: 's1',
          sub: 'alice',
          authTime: T0 - 30,
          idleExpiresAt: T0 + 3600,
          absoluteExpiresAt: T0 + 86_400,
        },
        meta(-30),
      ),
      SessionEnded.create(
        { sid: 's1', sub: 'alice', reason: 'rp_logout', clientIds: ['rp'], initiatedBy: 'rp' },
        meta(299, { correlationId: 'logout-req' }),
      ),
    ]),
  };
}

describe('tokenStateAt: a token followed through issue, refresh, revoke and logout', () => {
  const sources = lifecycle();
  const [, , at1Issued, rt1Issued, rt2Issued, , at2Revoked, logout] = sources.grant;
  const ended = sources.session![1]!;

  it('is not yet issued before its issuing event, active from it', () => {
    const before = tokenStateAt(sources, { jti: 'g1.at1' }, t(4));
    expect(before).toMatchObject({
      at: iso(4),
      active: false,
      reason: { kind: 'not_yet_issued', issuedAt: iso(5) },
    });
    expect(tokenStateAt(sources, { jti: 'g1.at1' }, t(5))).toEqual({
      at: iso(5),
      active: true,
      token: {
        kind: 'access_token',
        format: 'jwt',
        jti: 'g1.at1',
        clientId: 'rp',
        sub: 'alice',
        sid: 's1',
        scope: 'openid',
        issuedAt: iso(5),
        expiresAt: iso(3605),
        issuedBy: { eventId: at1Issued!.id, streamVersion: 3 },
      },
    });
  });

  it('stays active across the refresh and the other token’s revocation', () => {
    for (const s of [99, 100, 150, 200, 250, 299.999])
      expect(tokenStateAt(sources, { jti: 'g1.at1' }, t(s)).active).toBe(true);
  });

  it('dies with its grant at logout: which session, why, and which request', () => {
    const after = tokenStateAt(sources, { jti: 'g1.at1' }, t(300));
    expect(after.active).toBe(false);
    expect(after.reason).toEqual({
      kind: 'grant_revoked',
      at: iso(300),
      eventId: logout!.id,
      correlationId: 'logout-req',
      why: 'session_ended',
      session: {
        sid: 's1',
        at: iso(299),
        eventId: ended.id,
        correlationId: 'logout-req',
        reason: 'rp_logout',
        initiatedBy: 'rp',
      },
    });
    // Long after its expiry too, the first cause stays the answer.
    expect(tokenStateAt(sources, { jti: 'g1.at1' }, t(90_000)).reason?.kind).toBe('grant_revoked');
  });

  it('answers an opaque access token by its keyed hash, revoked alone', () => {
    const ref = { tokenHash: h('at2') };
    expect(tokenStateAt(sources, ref, t(99)).reason?.kind).toBe('not_yet_issued');
    expect(tokenStateAt(sources, ref, t(150))).toMatchObject({
      active: true,
      token: { kind: 'access_token', format: 'opaque', jti: 'g1.at2' },
    });
    for (const s of [200, 250, 301, 5000])
      expect(tokenStateAt(sources, ref, t(s)).reason).toEqual({
        kind: 'revoked',
        at: iso(200),
        eventId: at2Revoked!.id,
        correlationId: 'revoke-req',
        reason: 'client_request',
      });
  });

  it('says a refresh token was rotated, and when, by which event', () => {
    const ref = { tokenHash: h('rt1') };
    expect(tokenStateAt(sources, ref, t(50))).toMatchObject({
      active: true,
      token: { kind: 'refresh_token', issuedBy: { eventId: rt1Issued!.id, streamVersion: 4 } },
    });
    expect(tokenStateAt(sources, ref, t(50)).token).not.toHaveProperty('jti');
    expect(tokenStateAt(sources, ref, t(100)).reason).toEqual({
      kind: 'rotated',
      at: iso(100),
      eventId: rt2Issued!.id,
      correlationId: rt2Issued!.correlationId,
    });
    // Rotated first: the later logout is not why it stopped.
    expect(tokenStateAt(sources, ref, t(400)).reason?.kind).toBe('rotated');
  });

  it('the newer refresh token lives until the grant is revoked', () => {
    const ref = { tokenHash: h('rt2') };
    expect(tokenStateAt(sources, ref, t(99)).reason?.kind).toBe('not_yet_issued');
    expect(tokenStateAt(sources, ref, t(299)).active).toBe(true);
    expect(tokenStateAt(sources, ref, t(300)).reason).toMatchObject({
      kind: 'grant_revoked',
      why: 'session_ended',
    });
  });

  it('a token no event records is not_recorded (a jti, a hash, a code hash alike)', () => {
    for (const ref of [{ jti: 'g1.nope' }, { tokenHash: h('other') }, { tokenHash: h('code') }])
      expect(tokenStateAt(sources, ref, t(10))).toEqual({
        at: iso(10),
        active: false,
        reason: { kind: 'not_recorded' },
      });
    // An access token's jti does not find a refresh token, nor a refresh hash an access jti.
    expect(tokenStateAt(sources, { jti: h('rt1') }, t(10)).reason?.kind).toBe('not_recorded');
  });
});

describe('tokenStateAt: expiry and the other reasons', () => {
  const short = (extra: EventEnvelope[] = []): TokenHistorySources => ({
    grant: stream('grant-g1', [accessIssued(0, 'g1.at1', { exp: T0 + 60 }), ...extra]),
  });

  it('expires at exp exactly, not a millisecond before', () => {
    const sources = short();
    expect(tokenStateAt(sources, { jti: 'g1.at1' }, t(60) - 1).active).toBe(true);
    expect(tokenStateAt(sources, { jti: 'g1.at1' }, t(60))).toMatchObject({
      active: false,
      reason: { kind: 'expired', at: iso(60) },
    });
  });

  it('expired before a later revocation: expired is the answer', () => {
    const sources = {
      grant: stream('grant-g1', [
        accessIssued(0, 'g1.at1', { exp: T0 + 60 }),
        grantRevoked(120, 'admin'),
      ]),
    };
    expect(tokenStateAt(sources, { jti: 'g1.at1' }, t(200)).reason?.kind).toBe('expired');
  });

  it('an operator revocation names the operator', () => {
    const ops: Actor = { kind: 'client', client_id: 'ops-console' };
    const sources = {
      grant: stream('grant-g1', [
        accessIssued(0, 'g1.at1'),
        withActor(grantRevoked(30, 'admin'), ops),
      ]),
    };
    expect(tokenStateAt(sources, { jti: 'g1.at1' }, t(30)).reason).toMatchObject({
      kind: 'grant_revoked',
      why: 'admin',
      actor: ops,
    });
  });

  it('refresh_token_reuse shows the reuse detection event when there is one', () => {
    const detected = {
      ...meta(40, { correlationId: 'thief' }),
      type: 'grant.reuse_detected',
      version: 1,
      data: {
        grantId: 'g1',
        clientId: 'rp',
        presentedTokenHash: h('rt-old'),
        ip: '203.0.113.9',
        policy: 'end_session',
        response: 'end_session',
      },
    };
    const plain = {
      grant: stream('grant-g1', [
        accessIssued(0, 'g1.at1'),
        grantRevoked(40, 'refresh_token_reuse', meta(40, { correlationId: 'thief' })),
      ]),
    };
    expect(tokenStateAt(plain, { jti: 'g1.at1' }, t(41)).reason).toMatchObject({
      kind: 'grant_revoked',
      why: 'refresh_token_reuse',
      correlationId: 'thief',
    });
    expect(tokenStateAt(plain, { jti: 'g1.at1' }, t(41)).reason).not.toHaveProperty('reuse');
    const withDetection = {
      grant: stream('grant-g1', [
        accessIssued(0, 'g1.at1'),
        detected,
        grantRevoked(40, 'refresh_token_reuse'),
      ]),
    };
    expect(tokenStateAt(withDetection, { jti: 'g1.at1' }, t(41)).reason).toMatchObject({
      why: 'refresh_token_reuse',
      reuse: {
        at: iso(40),
        eventId: detected.id,
        correlationId: 'thief',
        ip: '203.0.113.9',
        policy: 'end_session',
        response: 'end_session',
      },
    });
    // An access token is not what was presented: the answer does not guess.
    expect(tokenStateAt(withDetection, { jti: 'g1.at1' }, t(41)).reason).not.toHaveProperty(
      'reuse.presentedThisToken',
    );
    // The reused refresh token itself, and the current one the thief raced for.
    const chain = {
      grant: stream('grant-g1', [
        refreshIssued(0, h('rt-old')),
        refreshIssued(20, h('rt-new'), h('rt-old')),
        detected,
        grantRevoked(40, 'refresh_token_reuse'),
      ]),
    };
    expect(tokenStateAt(chain, { tokenHash: h('rt-old') }, t(41)).reason?.kind).toBe('rotated');
    expect(tokenStateAt(chain, { tokenHash: h('rt-new') }, t(41)).reason).toMatchObject({
      why: 'refresh_token_reuse',
      reuse: { presentedThisToken: false, ip: '203.0.113.9' },
    });
    // The answer never carries the presented token's hash.
    expect(JSON.stringify(tokenStateAt(chain, { tokenHash: h('rt-new') }, t(41)))).not.toContain(
      h('rt-old'),
    );
  });

  it("the client's deletion ends its tokens, even before the grant's revocation is recorded", () => {
    const admin: Actor = { kind: 'admin_token' };
    const deleted = withActor(ClientDeleted.create({ clientId: 'rp' }, meta(50)), admin);
    const sources = {
      ...short(),
      grant: stream('grant-g1', [accessIssued(0, 'g1.at1')]),
      client: stream('client-rp', [deleted]),
    };
    expect(tokenStateAt(sources, { jti: 'g1.at1' }, t(49)).active).toBe(true);
    expect(tokenStateAt(sources, { jti: 'g1.at1' }, t(50)).reason).toEqual({
      kind: 'client_deleted',
      at: iso(50),
      eventId: deleted.id,
      correlationId: deleted.correlationId,
      actor: admin,
      clientId: 'rp',
    });
  });

  it("a deletion before the grant began (the client id registered again) is not this token's end", () => {
    const deleted = ClientDeleted.create({ clientId: 'rp' }, meta(-500));
    const sources = {
      grant: stream('grant-g1', [accessIssued(0, 'g1.at1')]),
      client: stream('client-rp', [deleted]),
    };
    expect(tokenStateAt(sources, { jti: 'g1.at1' }, t(10)).active).toBe(true);
  });

  it("the user's deletion", () => {
    const deleted = UserDeleted.create({ sub: 'alice' }, meta(70));
    const sources = {
      grant: stream('grant-g1', [accessIssued(0, 'g1.at1')]),
      user: stream('user-alice', [deleted]),
    };
    expect(tokenStateAt(sources, { jti: 'g1.at1' }, t(70)).reason).toMatchObject({
      kind: 'user_deleted',
      sub: 'alice',
      eventId: deleted.id,
    });
  });
});

describe('tokenHistory and historyEvent', () => {
  const sources = lifecycle();

  it('lists the grant events in order with their reasons, never a hash', () => {
    const answer = tokenHistory(
      sources,
      'g1',
      { kind: 'access_token', ref: { jti: 'g1.at1' } },
      t(400),
    );
    expect(answer.events.map((e) => [e.streamVersion, e.type, e.reason])).toEqual([
      [1, 'grant.authorization_code_issued', undefined],
      [2, 'grant.authorization_code_redeemed', undefined],
      [3, 'grant.access_token_issued', undefined],
      [4, 'grant.refresh_token_issued', undefined],
      [5, 'grant.refresh_token_issued', undefined],
      [6, 'grant.access_token_issued', undefined],
      [7, 'grant.access_token_revoked', 'client_request'],
      [8, 'grant.revoked', 'session_ended'],
    ]);
    expect(answer.relatedEvents.map((e) => e.type)).toEqual(['session.started', 'session.ended']);
    const text = JSON.stringify(answer);
    for (const label of ['code', 'rt1', 'rt2', 'at2']) expect(text).not.toContain(h(label));
    expect(answer.events[7]!.data).toMatchObject({
      refreshTokenHash: '[redacted]',
      accessTokens: [{ jti: 'g1.at2', tokenHash: '[redacted]' }],
    });
    expect(answer).toMatchObject({
      grantId: 'g1',
      subject: 'access_token',
      state: { active: false, reason: { kind: 'grant_revoked' } },
      grant: {
        clientId: 'rp',
        sub: 'alice',
        sid: 's1',
        endedBy: { kind: 'grant_revoked', why: 'session_ended' },
      },
    });
  });

  it('for a grant id: the grant, no token state; not ended before its revocation', () => {
    const answer = tokenHistory(sources, 'g1', undefined, t(250));
    expect(answer.subject).toBe('grant');
    expect(answer).not.toHaveProperty('state');
    expect(answer.grant).toEqual({ clientId: 'rp', sub: 'alice', sid: 's1' });
  });

  it('an event carries its envelope: id, stream, version, correlation, actor', () => {
    const ops: Actor = { kind: 'admin_token' };
    const e = {
      ...stream('grant-g1', [withActor(grantRevoked(1, 'admin'), ops)])[0]!,
      causationId: 'c-1',
    };
    expect(historyEvent(e)).toMatchObject({
      eventId: e.id,
      stream: 'grant-g1',
      streamVersion: 1,
      type: 'grant.revoked',
      occurredAt: iso(1),
      correlationId: e.correlationId,
      causationId: 'c-1',
      actor: ops,
      reason: 'admin',
    });
  });
});

describe('isoInstant', () => {
  it('formats as Date#toISOString does, leap days and epoch edges included', () => {
    const samples = [
      0,
      1,
      999,
      86_399_999,
      951_782_400_000,
      951_868_800_000,
      1_709_164_800_123,
      t(0),
      4_102_444_799_999,
      -1,
      -86_400_001,
    ];
    for (let ms = 0; ms < 4_000_000_000_000; ms += 37_123_456_789) samples.push(ms);
    for (const ms of samples) expect(isoInstant(ms)).toBe(new Date(ms).toISOString());
  });
});
