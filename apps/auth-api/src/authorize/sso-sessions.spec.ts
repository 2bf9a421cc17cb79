import { sessionView, testConfig } from '../http/auth-api.fixtures';
import { EdgeConfig } from '../http/edge-config';
import { SESSION_COOKIE, signSessionId } from '../http/session-cookie';
import { SessionTermination } from '../logout/session-termination';
import { SsoSessions } from './sso-sessions';
import { type SessionRpcClient, type TokenRpcClient } from '@idp/contracts';

describe('SsoSessions', () => {
  const edge = new EdgeConfig(testConfig());
  const cookieOf = (sid: string) =>
    `${SESSION_COOKIE}=${signSessionId(edge.sessionCookieKey, sid)}`;
  const OLD = sessionView({ sid: 'sid-old', sub: 'user-1' });
  const NEW = sessionView({ sid: 'sid-new', sub: 'user-2' });
  const session = {
    getSession: jest.fn(),
    startSession: jest.fn(),
    endSession: jest.fn(),
  };
  const token = { endSessionGrants: jest.fn() };
  const sessions = new SsoSessions(
    edge,
    session as unknown as SessionRpcClient,
    new SessionTermination(
      session as unknown as SessionRpcClient,
      token as unknown as TokenRpcClient,
    ),
  );

  beforeEach(() => {
    jest.resetAllMocks();
    session.getSession.mockImplementation(async ({ sid }: { sid: string }) => ({
      session: sid === OLD.sid ? OLD : null,
    }));
    session.startSession.mockResolvedValue(NEW);
    session.endSession.mockResolvedValue({
      ended: { sid: OLD.sid, sub: OLD.sub, clientIds: [] },
    });
    token.endSessionGrants.mockResolvedValue({ revokedGrants: 1 });
  });

  it("ends the browser's live session of another user when a new login starts (login_replaced), with its tokens", async () => {
    const { session: started } = await sessions.start('user-2', ['pwd'], 0, cookieOf(OLD.sid));
    expect(started).toBe(NEW);
    expect(session.endSession).toHaveBeenCalledWith({ sid: 'sid-old', reason: 'login_replaced' });
    expect(token.endSessionGrants).toHaveBeenCalledWith({ sid: 'sid-old' });
    expect(session.endSession.mock.invocationCallOrder[0]).toBeLessThan(
      session.startSession.mock.invocationCallOrder[0]!,
    );
  });

  it("leaves the same user's session, a dead session and a forged cookie alone", async () => {
    await sessions.start('user-1', ['pwd'], 0, cookieOf(OLD.sid));
    await sessions.start('user-2', ['pwd'], 0, cookieOf('sid-gone'));
    await sessions.start('user-2', ['pwd'], 0, `${SESSION_COOKIE}=c2lkLW9sZA.${'A'.repeat(43)}`);
    await sessions.start('user-2', ['pwd'], 0, undefined);
    expect(session.endSession).not.toHaveBeenCalled();
    expect(session.startSession).toHaveBeenCalledTimes(4);
  });

  it('asks session-service to extend the session only when the caller uses it', async () => {
    await sessions.current(cookieOf(OLD.sid));
    await sessions.current(cookieOf(OLD.sid), { touch: true });
    expect(session.getSession.mock.calls).toEqual([
      [{ sid: 'sid-old' }],
      [{ sid: 'sid-old', touch: true }],
    ]);
  });
});
