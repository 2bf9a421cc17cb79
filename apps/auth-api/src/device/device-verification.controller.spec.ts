import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { InvalidGrant } from '@idp/oauth-errors';
import {
  CookieJar,
  createAuthApi,
  form,
  FORM_HEADERS,
  sessionView,
} from '../http/auth-api.fixtures';
import { PAGE_CSP } from '../interaction/html';

const PENDING = { clientId: 'tv', clientName: 'Living-room TV', scope: 'openid profile' };
const SESSION = sessionView({ sid: 'sid-new', sub: 'user-1' });

describe('the device verification page (RFC 8628 3.3)', () => {
  let app: NestFastifyApplication;
  let jar: CookieJar;
  const devicePending = jest.fn();
  const deviceDecision = jest.fn();
  const authenticateUser = jest.fn();
  const startSession = jest.fn();
  const getSession = jest.fn();

  beforeAll(async () => {
    app = await createAuthApi({
      token: { devicePending, deviceDecision, authenticateUser },
      session: { startSession, getSession },
      env: { DEVICE_USER_CODE_IP_FAILURES: '3', DEVICE_USER_CODE_CODE_FAILURES: '2' },
    });
  });
  afterAll(() => app.close());
  let ip = 0;
  let address: string;
  beforeEach(() => {
    jar = new CookieJar();
    // Each test its own client IP: the guard's counts outlive a test.
    address = `10.0.0.${++ip}`;
    devicePending.mockReset().mockImplementation(async ({ userCode }) => ({
      request: userCode === 'BCDFGHJK' ? PENDING : null,
    }));
    deviceDecision.mockReset().mockResolvedValue({});
    authenticateUser.mockReset().mockImplementation(async ({ username, password }) => ({
      sub: username === 'ada' && password === 'correct horse' ? 'user-1' : null,
    }));
    startSession.mockReset().mockResolvedValue(SESSION);
    getSession
      .mockReset()
      .mockImplementation(async ({ sid }) => ({ session: sid === 'sid-new' ? SESSION : null }));
  });

  async function go(method: 'GET' | 'POST', url: string, body?: Record<string, string>) {
    const cookie = jar.header(url);
    const res = await app.inject({
      method,
      url,
      remoteAddress: address,
      headers: { ...(cookie === undefined ? {} : { cookie }), ...(body ? FORM_HEADERS : {}) },
      ...(body ? { payload: form(body) } : {}),
    });
    jar.store(res.headers['set-cookie']);
    return res;
  }
  const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] as string;
  const actionOf = (html: string) =>
    new URL(/<form method="post" action="([^"]+)"/.exec(html)?.[1] as string).pathname;

  it('prefills the code from verification_uri_complete but decides nothing until the user confirms', async () => {
    const page = await go('GET', '/device?user_code=bcdf-ghjk');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toBe(PAGE_CSP);
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.body).toContain('value="BCDF-GHJK"');
    expect(page.headers['set-cookie']).toEqual([
      expect.stringMatching(
        /^device_form=[A-Za-z0-9_-]{22}; Path=\/device; Max-Age=3600; HttpOnly; SameSite=Lax; Secure$/,
      ),
    ]);
    expect(devicePending).not.toHaveBeenCalled();
    expect(deviceDecision).not.toHaveBeenCalled();
  });

  it('signs the user in, shows the client and scopes with the phishing warning, then approves for that session', async () => {
    const entry = await go('GET', '/device');
    const login = await go('POST', '/device', { user_code: 'bcdf ghjk', csrf: csrfOf(entry.body) });
    expect(login.statusCode).toBe(200);
    expect(actionOf(login.body)).toBe('/device/login');
    expect(login.body).toContain('Living-room TV');
    const confirm = await go('POST', '/device/login', {
      user_code: 'BCDF-GHJK',
      csrf: csrfOf(login.body),
      username: 'ada',
      password: 'correct horse',
    });
    expect(confirm.statusCode).toBe(200);
    expect(actionOf(confirm.body)).toBe('/device/decision');
    expect(confirm.body).toContain('BCDF-GHJK');
    expect(confirm.body).toContain('Only continue if you started this on a device in front of you');
    expect(confirm.body).toContain('<code>profile</code>');
    expect(deviceDecision).not.toHaveBeenCalled();
    const done = await go('POST', '/device/decision', {
      user_code: 'BCDF-GHJK',
      csrf: csrfOf(confirm.body),
      decision: 'allow',
    });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('Device connected');
    expect(deviceDecision).toHaveBeenCalledWith({
      userCode: 'BCDF-GHJK',
      approve: true,
      sub: 'user-1',
      sid: 'sid-new',
      authTime: SESSION.authTime,
      amr: ['pwd'],
    });
  });

  it('reuses the SSO session: the code goes straight to the confirmation; deny is recorded', async () => {
    const entry = await go('GET', '/device');
    const signedIn = await go('POST', '/device', {
      user_code: 'BCDFGHJK',
      csrf: csrfOf(entry.body),
    });
    const confirm = await go('POST', '/device/login', {
      user_code: 'BCDFGHJK',
      csrf: csrfOf(signedIn.body),
      username: 'ada',
      password: 'correct horse',
    });
    expect(actionOf(confirm.body)).toBe('/device/decision');
    // A second request in the same browser: no sign-in page this time.
    const again = await go('POST', '/device', {
      user_code: 'BCDFGHJK',
      csrf: csrfOf(confirm.body),
    });
    expect(actionOf(again.body)).toBe('/device/decision');
    const denied = await go('POST', '/device/decision', {
      user_code: 'BCDFGHJK',
      csrf: csrfOf(again.body),
      decision: 'deny',
    });
    expect(denied.body).toContain('Request denied');
    expect(deviceDecision).toHaveBeenCalledWith(expect.objectContaining({ approve: false }));
  });

  it('refuses a POST without the binding cookie, with a wrong token or with another browser’s token (CSRF)', async () => {
    const entry = await go('GET', '/device');
    const token = csrfOf(entry.body);
    // Another browser: its own cookie, the victim's token.
    const attacker = await app.inject({
      method: 'POST',
      url: '/device/decision',
      remoteAddress: address,
      headers: { ...FORM_HEADERS, cookie: 'device_form=AAAAAAAAAAAAAAAAAAAAAA' },
      payload: form({ user_code: 'BCDFGHJK', csrf: token, decision: 'allow' }),
    });
    const noCookie = await app.inject({
      method: 'POST',
      url: '/device/decision',
      remoteAddress: address,
      headers: FORM_HEADERS,
      payload: form({ user_code: 'BCDFGHJK', csrf: token, decision: 'allow' }),
    });
    const wrong = await go('POST', '/device', {
      user_code: 'BCDFGHJK',
      csrf: `${token.slice(0, -1)}A`,
    });
    const missing = await go('POST', '/device', { user_code: 'BCDFGHJK' });
    for (const res of [attacker, noCookie, wrong, missing]) {
      expect(res.statusCode).toBe(403);
      expect(res.body).toContain('This form expired');
    }
    expect(devicePending).not.toHaveBeenCalled();
    expect(deviceDecision).not.toHaveBeenCalled();
  });

  it('answers a wrong code with the same page, and locks the IP after its failures (brute-force guard)', async () => {
    const entry = await go('GET', '/device');
    let csrf = csrfOf(entry.body);
    for (const code of ['BCDF-GHJZ', 'not-a-code', 'ZZZZ-ZZZZ']) {
      const res = await go('POST', '/device', { user_code: code, csrf });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('That code is not valid');
      csrf = csrfOf(res.body);
    }
    // Locked now, even for the right code, and token-service is no longer asked.
    const calls = devicePending.mock.calls.length;
    const locked = await go('POST', '/device', { user_code: 'BCDF-GHJK', csrf });
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(locked.body).toContain('Too many wrong codes');
    expect(devicePending.mock.calls.length).toBe(calls);
  });

  it('locks one code after its failures from any IP', async () => {
    devicePending.mockResolvedValue({ request: null });
    for (const n of [1, 2]) {
      address = `10.1.0.${n}`;
      jar = new CookieJar();
      const entry = await go('GET', '/device');
      const res = await go('POST', '/device', { user_code: 'DDDD-DDDD', csrf: csrfOf(entry.body) });
      expect(res.statusCode).toBe(400);
    }
    address = '10.1.0.3';
    jar = new CookieJar();
    const entry = await go('GET', '/device');
    const res = await go('POST', '/device', { user_code: 'dddddddd', csrf: csrfOf(entry.body) });
    expect(res.statusCode).toBe(429);
  });

  it('guards the decision step too: a code answered meanwhile reads as invalid', async () => {
    const entry = await go('GET', '/device');
    const login = await go('POST', '/device', { user_code: 'BCDFGHJK', csrf: csrfOf(entry.body) });
    const confirm = await go('POST', '/device/login', {
      user_code: 'BCDFGHJK',
      csrf: csrfOf(login.body),
      username: 'ada',
      password: 'correct horse',
    });
    deviceDecision.mockRejectedValueOnce(
      new InvalidGrant('the authorization request was already answered'),
    );
    const res = await go('POST', '/device/decision', {
      user_code: 'BCDFGHJK',
      csrf: csrfOf(confirm.body),
      decision: 'allow',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('That code is not valid');
    // A decision for a code that names nothing is refused before token-service decides.
    const forged = await go('POST', '/device/decision', {
      user_code: 'ZZZZZZZZ',
      csrf: csrfOf(res.body),
      decision: 'allow',
    });
    expect(forged.statusCode).toBe(400);
    expect(deviceDecision).toHaveBeenCalledTimes(1);
  });

  it('keeps a wrong password on the sign-in page with the code', async () => {
    const entry = await go('GET', '/device');
    const login = await go('POST', '/device', { user_code: 'BCDFGHJK', csrf: csrfOf(entry.body) });
    const wrong = await go('POST', '/device/login', {
      user_code: 'BCDFGHJK',
      csrf: csrfOf(login.body),
      username: 'ada',
      password: 'nope',
    });
    expect(wrong.statusCode).toBe(200);
    expect(wrong.body).toContain('Wrong username or password.');
    expect(actionOf(wrong.body)).toBe('/device/login');
    expect(startSession).not.toHaveBeenCalled();
  });
});
