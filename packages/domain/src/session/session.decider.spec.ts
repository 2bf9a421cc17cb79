import { SessionStarted } from '@idp/contracts';
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
  { correlationId: 'c' },
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

  it('is live only before both expiries', () => {
    const state = fold(sessionDecider, [
      { ...started, stream: 'session-s1', streamVersion: 1 },
    ] as never);
    expect(sessionIsLive(state, 1_999)).toBe(true);
    expect(sessionIsLive(state, 2_000)).toBe(false);
  });
});
