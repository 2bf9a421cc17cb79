import { SessionStarted, freshEventMeta } from '@idp/contracts';
import { deciderSpec } from '@idp/testing';
import { fold } from '../decider';
import { sessionDecider, sessionIsLive } from './session.decider';

const meta = { now: 1_000, correlationId: 'c' };
const started = SessionStarted.create(
  {
    sid: 's1',
    sub: 'u1',
    authTime: 1_000,
    amr: ['pwd'],
    idleExpiresAt: 2_000,
    absoluteExpiresAt: 5_000,
  },
  freshEventMeta('c'),
);
const spec = deciderSpec(sessionDecider);
const lifetimes = { idleSeconds: 1_000, absoluteSeconds: 4_000 };

describe('session decider', () => {
  it('starts a session with its idle and absolute expiry', () => {
    spec
      .given([])
      .when({ type: 'StartSession', sid: 's1', sub: 'u1', amr: ['pwd'], lifetimes, meta })
      .then([{ type: 'session.started', data: started.data }]);
  });

  it('refuses to reuse a session id', () => {
    spec
      .given([started])
      .when({ type: 'StartSession', sid: 's1', sub: 'u2', amr: [], lifetimes, meta })
      .thenThrows(/already used/);
  });

  it('lets each client join once', () => {
    spec
      .given([started])
      .when({ type: 'JoinClient', clientId: 'rp1', meta })
      .then([{ type: 'session.client_joined', data: { sid: 's1', clientId: 'rp1' } }]);
    const joined = { type: 'session.client_joined', data: { sid: 's1', clientId: 'rp1' } };
    spec
      .given([started, { ...started, ...joined } as never])
      .when({ type: 'JoinClient', clientId: 'rp1', meta })
      .thenNothing();
  });

  it('ends a session naming every client that took part, once', () => {
    const joined = {
      ...started,
      type: 'session.client_joined',
      data: { sid: 's1', clientId: 'rp1' },
    };
    spec
      .given([started, joined as never])
      .when({ type: 'EndSession', reason: 'rp_logout', initiatedBy: 'rp1', meta })
      .then([
        {
          type: 'session.ended',
          data: {
            sid: 's1',
            sub: 'u1',
            reason: 'rp_logout',
            clientIds: ['rp1'],
            initiatedBy: 'rp1',
          },
        },
      ]);
    const ended = {
      ...started,
      type: 'session.ended',
      data: { sid: 's1', sub: 'u1', reason: 'rp_logout', clientIds: ['rp1'] },
    };
    spec
      .given([started, ended as never])
      .when({ type: 'EndSession', reason: 'admin', meta })
      .thenNothing();
  });

  describe('a client that joins after the end (issue #12)', () => {
    const joined = {
      ...started,
      type: 'session.client_joined',
      data: { sid: 's1', clientId: 'rp1' },
    };
    const ended = {
      ...started,
      type: 'session.ended',
      data: { sid: 's1', sub: 'u1', reason: 'admin', clientIds: ['rp1'] },
    };

    it('is recorded as having joined after the end, so it is told about the logout', () => {
      spec
        .given([started, joined as never, ended as never])
        .when({ type: 'JoinClient', clientId: 'rp2', grantId: 'g2', meta })
        .then([
          {
            type: 'session.client_joined_after_end',
            data: { sid: 's1', sub: 'u1', clientId: 'rp2', grantId: 'g2' },
          },
        ]);
    });

    it('is recorded once, and a client the end already named is not recorded again', () => {
      const late = {
        ...started,
        type: 'session.client_joined_after_end',
        data: { sid: 's1', sub: 'u1', clientId: 'rp2' },
      };
      spec
        .given([started, joined as never, ended as never, late as never])
        .when({ type: 'JoinClient', clientId: 'rp2', meta })
        .thenNothing();
      spec
        .given([started, joined as never, ended as never])
        .when({ type: 'JoinClient', clientId: 'rp1', meta })
        .thenNothing();
      const state = fold(sessionDecider, [started, joined, ended, late] as never);
      expect(state).toMatchObject({ status: 'ended', clientIds: ['rp1', 'rp2'] });
    });

    it('is ignored for a session that never existed', () => {
      spec.given([]).when({ type: 'JoinClient', clientId: 'rp1', meta }).thenNothing();
    });
  });

  describe('idle extension', () => {
    const extension = { idleSeconds: 1_000, minIntervalSeconds: 60 };
    const at = (now: number) => ({ now, correlationId: 'c' });
    const extended = (now: number, idleExpiresAt: number) => ({
      ...started,
      type: 'session.extended',
      data: { sid: 's1', at: now, idleExpiresAt },
    });

    it('moves the idle expiry forward when the session is used after the interval', () => {
      spec
        .given([started])
        .when({ type: 'ExtendSession', extension, meta: at(1_500) })
        .then([{ type: 'session.extended', data: { sid: 's1', at: 1_500, idleExpiresAt: 2_500 } }]);
    });

    it('writes nothing for uses closer together than the interval', () => {
      spec
        .given([started])
        .when({ type: 'ExtendSession', extension, meta: at(1_059) })
        .thenNothing();
      spec
        .given([started, extended(1_500, 2_500) as never])
        .when({ type: 'ExtendSession', extension, meta: at(1_530) })
        .thenNothing();
    });

    it('never extends past the absolute expiry, nor revives an expired or ended session', () => {
      spec
        .given([started, extended(2_800, 3_800) as never, extended(3_700, 4_700) as never])
        .when({ type: 'ExtendSession', extension, meta: at(4_600) })
        .then([{ type: 'session.extended', data: { sid: 's1', at: 4_600, idleExpiresAt: 5_000 } }]);
      spec
        .given([started])
        .when({ type: 'ExtendSession', extension, meta: at(2_000) })
        .thenNothing();
      const ended = {
        ...started,
        type: 'session.ended',
        data: { sid: 's1', sub: 'u1', reason: 'admin', clientIds: [] },
      };
      spec
        .given([started, ended as never])
        .when({ type: 'ExtendSession', extension, meta: at(1_500) })
        .thenNothing();
    });

    it('extends when a new client joins, not when a joined client gets more tokens', () => {
      spec
        .given([started])
        .when({ type: 'JoinClient', clientId: 'rp1', extension, meta: at(1_500) })
        .then([
          { type: 'session.client_joined', data: { sid: 's1', clientId: 'rp1' } },
          { type: 'session.extended', data: { sid: 's1', at: 1_500, idleExpiresAt: 2_500 } },
        ]);
      const joined = {
        ...started,
        type: 'session.client_joined',
        data: { sid: 's1', clientId: 'rp1' },
      };
      spec
        .given([started, joined as never])
        .when({ type: 'JoinClient', clientId: 'rp1', extension, meta: at(1_500) })
        .thenNothing();
    });

    it('keeps the session live until the extended idle expiry', () => {
      const state = fold(sessionDecider, [
        { ...started, stream: 'session-s1', streamVersion: 1 },
        { ...extended(1_500, 2_500), stream: 'session-s1', streamVersion: 2 },
      ] as never);
      expect(sessionIsLive(state, 2_400)).toBe(true);
      expect(sessionIsLive(state, 2_500)).toBe(false);
    });
  });

  it('is live only before both expiries', () => {
    const state = fold(sessionDecider, [
      { ...started, stream: 'session-s1', streamVersion: 1 },
    ] as never);
    expect(sessionIsLive(state, 1_999)).toBe(true);
    expect(sessionIsLive(state, 2_000)).toBe(false);
  });
});
