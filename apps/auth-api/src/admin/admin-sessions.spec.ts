import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createAuthApi, sessionView } from '../http/auth-api.fixtures';
import { ADMIN_TOKEN } from '../registration/registration.fixtures';

describe('/admin sessions: read, end, end every session of a user', () => {
  let app: NestFastifyApplication;
  const getSession = jest.fn();
  const endSession = jest.fn();
  const endSessionsOfUser = jest.fn();
  const endSessionGrants = jest.fn();
  const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
  const call = (method: 'GET' | 'POST', url: string, headers: Record<string, string> = auth) =>
    app.inject({ method, url, headers });

  beforeAll(async () => {
    app = await createAuthApi({
      token: { endSessionGrants },
      session: { getSession, endSession, endSessionsOfUser },
      env: { ADMIN_TOKEN },
    });
  });
  afterAll(() => app.close());
  beforeEach(() => {
    jest.resetAllMocks();
    endSessionGrants.mockResolvedValue({ revokedGrants: 1 });
  });

  it('shows a live session, 404 for an unknown or ended one', async () => {
    const view = sessionView({ sid: 's-1', clientIds: ['app'] });
    getSession.mockImplementation(async ({ sid }) => ({ session: sid === 's-1' ? view : null }));
    const live = await call('GET', '/admin/sessions/s-1');
    expect([live.statusCode, live.json()]).toEqual([200, view]);
    expect(live.headers['cache-control']).toBe('no-store');
    const gone = await call('GET', '/admin/sessions/s-2');
    expect([gone.statusCode, gone.json().error]).toEqual([404, 'invalid_request']);
    // Fastify refuses a path parameter this long before the handler (URI too long).
    expect((await call('GET', `/admin/sessions/${'x'.repeat(300)}`)).statusCode).toBe(414);
  });

  it('ends a session with reason admin and revokes its grants before answering', async () => {
    endSession.mockResolvedValueOnce({ ended: { sid: 's-1', sub: 'u', clientIds: [] } });
    endSession.mockResolvedValueOnce({ ended: null });
    const first = await call('POST', '/admin/sessions/s-1/end');
    expect([first.statusCode, first.json()]).toEqual([200, { ended: true }]);
    // Both calls name the caller, so session.ended and the revocations do (ADR 0017).
    const actor = { kind: 'admin_token' };
    expect(endSession).toHaveBeenCalledWith({ sid: 's-1', reason: 'admin', actor });
    expect(endSessionGrants).toHaveBeenCalledWith({ sid: 's-1', actor });
    const again = await call('POST', '/admin/sessions/s-1/end');
    expect([again.statusCode, again.json()]).toEqual([200, { ended: false }]);
  });

  it("ends every session of a user (user_logout_all) and revokes each one's grants", async () => {
    endSessionsOfUser.mockResolvedValue({
      ended: [
        { sid: 'a', sub: 'u-1', clientIds: [] },
        { sid: 'b', sub: 'u-1', clientIds: ['app'] },
      ],
    });
    const res = await call('POST', '/admin/users/u-1/end-sessions');
    expect([res.statusCode, res.json()]).toEqual([200, { ended_sessions: 2 }]);
    const actor = { kind: 'admin_token' };
    expect(endSessionsOfUser).toHaveBeenCalledWith({
      sub: 'u-1',
      reason: 'user_logout_all',
      actor,
    });
    expect(endSessionGrants.mock.calls).toEqual([[{ sid: 'a', actor }], [{ sid: 'b', actor }]]);
  });

  it('takes ids of up to 200 characters in the path (the contracts’ limit), 414 beyond', async () => {
    endSessionsOfUser.mockResolvedValue({ ended: [] });
    const long = 'u'.repeat(200);
    const res = await call('POST', `/admin/users/${long}/end-sessions`);
    expect([res.statusCode, res.json()]).toEqual([200, { ended_sessions: 0 }]);
    expect(endSessionsOfUser).toHaveBeenCalledWith(expect.objectContaining({ sub: long }));
    const tooLong = await call('POST', `/admin/users/${long}u/end-sessions`);
    expect(tooLong.statusCode).toBe(414);
    expect(endSessionsOfUser).toHaveBeenCalledTimes(1);
  });

  it('requires the admin token', async () => {
    for (const url of ['/admin/sessions/s-1/end', '/admin/users/u-1/end-sessions']) {
      expect((await call('POST', url, {})).statusCode).toBe(401);
    }
    expect(endSession).not.toHaveBeenCalled();
    expect(endSessionsOfUser).not.toHaveBeenCalled();
  });
});
