import { freshEventMeta, SSF_EVENT_TYPES, type DomainEvent } from '@idp/contracts';
import { signalsOf } from './signal-mapping';

const ISS = 'https://op.example.com';
const AT = '2027-01-01T00:00:00.000Z';
const IAT = Date.parse(AT) / 1000;

/** A stored-looking event of ours: the mapping reads only id, type, occurredAt and data. */
function event(type: string, data: Record<string, unknown>): DomainEvent {
  return {
    ...freshEventMeta('corr-1'),
    id: 'ev-1',
    occurredAt: AT,
    type,
    version: 1,
    data,
  } as unknown as DomainEvent;
}

describe('signalsOf: our events → SETs (ADR 0035)', () => {
  it("session.ended → CAEP session-revoked about the user's session (complex subject), txn = event id", () => {
    const [signal, ...rest] = signalsOf(
      event('session.ended', { sid: 'sid-1', sub: 'u-1', reason: 'rp_logout', clientIds: ['rp'] }),
      ISS,
    );
    expect(rest).toEqual([]);
    expect(signal).toEqual({
      eventType: SSF_EVENT_TYPES.sessionRevoked,
      txn: 'ev-1',
      sourceKey: `ev-1:${SSF_EVENT_TYPES.sessionRevoked}`,
      iat: IAT,
      subId: {
        format: 'complex',
        user: { format: 'iss_sub', iss: ISS, sub: 'u-1' },
        session: { format: 'opaque', id: 'sid-1' },
      },
      principals: { iss: ISS, sub: 'u-1', sid: 'sid-1' },
      subjectKeys: [JSON.stringify(['iss_sub', ISS, 'u-1']), JSON.stringify(['opaque', 'sid-1'])],
      payload: {
        event_timestamp: IAT,
        initiating_entity: 'user',
        reason_admin: { en: 'session ended: rp_logout' },
      },
    });
  });

  it('user.deleted → session-revoked for every session of the user', () => {
    const [signal] = signalsOf(event('user.deleted', { sub: 'u-1' }), ISS);
    expect(signal).toMatchObject({
      eventType: SSF_EVENT_TYPES.sessionRevoked,
      subId: { format: 'iss_sub', iss: ISS, sub: 'u-1' },
      payload: { initiating_entity: 'admin' },
    });
  });

  it('user.updated with a password → credential-change (password, update), never the hash', () => {
    const signals = signalsOf(
      event('user.updated', { sub: 'u-1', passwordHash: 'scrypt$secret' }),
      ISS,
    );
    expect(signals).toHaveLength(1);
    expect(signals[0]).toMatchObject({
      eventType: SSF_EVENT_TYPES.credentialChange,
      payload: { event_timestamp: IAT, credential_type: 'password', change_type: 'update' },
    });
    expect(JSON.stringify(signals)).not.toContain('scrypt');
  });

  it('user.updated with claims → token-claims-change with the claims; both at once → two SETs', () => {
    const signals = signalsOf(
      event('user.updated', {
        sub: 'u-1',
        passwordHash: 'h',
        claims: { email: 'a@b.c', role: 'admin' },
      }),
      ISS,
    );
    expect(signals.map((s) => s.eventType)).toEqual([
      SSF_EVENT_TYPES.credentialChange,
      SSF_EVENT_TYPES.tokenClaimsChange,
    ]);
    expect(signals[1]!.payload).toEqual({
      event_timestamp: IAT,
      claims: { email: 'a@b.c', role: 'admin' },
    });
    // One delivery per (stream, SET): the two have their own source keys.
    expect(new Set(signals.map((s) => s.sourceKey)).size).toBe(2);
    expect(signalsOf(event('user.updated', { sub: 'u-1', username: 'new' }), ISS)).toEqual([]);
  });

  it("grant.revoked → token-revoked with the access tokens' jtis, the grant, client, reason and exp", () => {
    const [signal] = signalsOf(
      event('grant.revoked', {
        grantId: 'g-1',
        clientId: 'c-1',
        sub: 'u-1',
        sid: 'sid-1',
        reason: 'client_request',
        until: 2_000_000_000,
        accessTokens: [{ jti: 'at-1', exp: 1_999_999_000, tokenHash: 'x'.repeat(43) }],
      }),
      ISS,
    );
    expect(signal).toMatchObject({
      eventType: SSF_EVENT_TYPES.tokenRevoked,
      subId: {
        format: 'complex',
        user: { format: 'iss_sub', iss: ISS, sub: 'u-1' },
        session: { format: 'opaque', id: 'sid-1' },
        application: { format: 'opaque', id: 'c-1' },
      },
      payload: {
        grant_id: 'g-1',
        client_id: 'c-1',
        reason: 'client_request',
        access_tokens: [{ jti: 'at-1', exp: 1_999_999_000 }],
        exp: 2_000_000_000,
      },
    });
    // The token hash is how we find a token; a receiver has no use for it.
    expect(JSON.stringify(signal)).not.toContain('xxxx');
  });

  it("grant.access_token_revoked → token-revoked for the one jti, about the grant's user and session", () => {
    const [signal] = signalsOf(
      event('grant.access_token_revoked', {
        grantId: 'g-1',
        jti: 'at-2',
        clientId: 'c-1',
        sub: 'u-1',
        sid: 'sid-1',
        exp: 1_999_999_999,
        reason: 'client_request',
      }),
      ISS,
    );
    expect(signal).toMatchObject({
      eventType: SSF_EVENT_TYPES.tokenRevoked,
      subId: {
        format: 'complex',
        user: { format: 'iss_sub', iss: ISS, sub: 'u-1' },
        session: { format: 'opaque', id: 'sid-1' },
        application: { format: 'opaque', id: 'c-1' },
      },
      principals: { iss: ISS, sub: 'u-1', sid: 'sid-1', clientId: 'c-1' },
      // A receiver that removed the user or the session gets none of its token revocations.
      subjectKeys: [JSON.stringify(['iss_sub', ISS, 'u-1']), JSON.stringify(['opaque', 'sid-1'])],
      payload: {
        grant_id: 'g-1',
        access_tokens: [{ jti: 'at-2', exp: 1_999_999_999 }],
        exp: 1_999_999_999,
      },
    });
  });

  it('grant.access_token_revoked of a client_credentials grant (or an older event) names the client only', () => {
    const [signal] = signalsOf(
      event('grant.access_token_revoked', {
        grantId: 'g-1',
        jti: 'at-2',
        clientId: 'c-1',
        exp: 1_999_999_999,
        reason: 'client_request',
      }),
      ISS,
    );
    expect(signal).toMatchObject({
      subId: { format: 'complex', application: { format: 'opaque', id: 'c-1' } },
      principals: { iss: ISS, clientId: 'c-1' },
      subjectKeys: [],
    });
  });

  it('maps nothing else', () => {
    expect(signalsOf(event('session.started', { sid: 's', sub: 'u' }), ISS)).toEqual([]);
    expect(signalsOf(event('ssf.stream_deleted', { streamId: 's', clientId: 'c' }), ISS)).toEqual(
      [],
    );
  });
});
