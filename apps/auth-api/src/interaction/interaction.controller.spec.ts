import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { InvalidRequest, TemporarilyUnavailable } from '@idp/oauth-errors';
import {
  clientJson,
  CookieJar,
  createAuthApi,
  form,
  FORM_HEADERS,
  sessionView,
} from '../http/auth-api.fixtures';
import { PAGE_CSP } from './html';

const ISS = 'iss=https%3A%2F%2Fidp.example.com';
const REQUEST = {
  client_id: 'app',
  redirect_uri: 'https://app.example/cb',
  response_type: 'code',
  scope: 'openid email',
  state: 'st',
  code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  code_challenge_method: 'S256',
  login_hint: 'ada',
};
const NEW_SESSION = sessionView({ sid: 'sid-new', sub: 'user-1' });

describe('login and consent interaction', () => {
  let app: NestFastifyApplication;
  let jar: CookieJar;
  const getClient = jest.fn();
  const authenticateUser = jest.fn();
  const authorize = jest.fn();
  const startSession = jest.fn();
  const getSession = jest.fn();

  beforeAll(async () => {
    app = await createAuthApi({
      token: { getClient, authenticateUser, authorize },
      session: { startSession, getSession },
    });
  });
  afterAll(() => app.close());
  beforeEach(() => {
    jar = new CookieJar();
    getClient.mockReset().mockResolvedValue({ client: clientJson() });
    authenticateUser.mockReset().mockImplementation(async ({ username, password }) => ({
      sub: username === 'ada' && password === 'correct horse' ? 'user-1' : null,
    }));
    authorize.mockReset().mockResolvedValue({ code: 'c-1' });
    startSession.mockReset().mockResolvedValue(NEW_SESSION);
    getSession
      .mockReset()
      .mockImplementation(async ({ sid }) => ({ session: sid === 'sid-new' ? NEW_SESSION : null }));
  });

  /** A browser: sends the cookies that match the path, keeps what the server sets. */
  async function go(method: 'GET' | 'POST', url: string, body?: Record<string, string>) {
    const path = url.startsWith('https://') ? new URL(url).pathname : url;
    const cookie = jar.header(path);
    const res = await app.inject({
      method,
      url: path,
      headers: { ...(cookie === undefined ? {} : { cookie }), ...(body ? FORM_HEADERS : {}) },
      ...(body ? { payload: form(body) } : {}),
    });
    jar.store(res.headers['set-cookie']);
    return res;
  }

  const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] as string;

  /** /authorize → the login page; returns the interaction path and its CSRF token. */
  async function startLogin(params: Record<string, string> = REQUEST) {
    const authz = await go('GET', `/authorize?${form(params)}`);
    const page = await go('GET', authz.headers.location as string);
    return {
      path: new URL(authz.headers.location as string).pathname,
      page,
      csrf: csrfOf(page.body),
    };
  }

  it('signs in, asks for consent, then sends the code to the client', async () => {
    const { path, page, csrf } = await startLogin();
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toBe(PAGE_CSP);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.body).toContain('Sign in to continue to Example App');
    expect(page.body).toContain(`action="https://idp.example.com${path}/login"`);
    expect(page.body).toContain('value="ada"');

    const login = await go('POST', `${path}/login`, {
      username: 'ada',
      password: 'correct horse',
      csrf,
    });
    expect(login.statusCode).toBe(303);
    expect(login.headers.location).toBe(`https://idp.example.com${path}`);
    expect(authenticateUser).toHaveBeenCalledWith({ username: 'ada', password: 'correct horse' });
    expect(startSession).toHaveBeenCalledWith({
      sub: 'user-1',
      amr: ['pwd'],
      acr: 'urn:idp:acr:pwd',
    });
    expect(login.headers['set-cookie']).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^idp_session=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax; Secure$/,
        ),
      ]),
    );

    const consentPage = await go('GET', path);
    expect(consentPage.statusCode).toBe(200);
    expect(consentPage.body).toContain('Example App wants to:');
    expect(consentPage.body).toContain('<code>email</code>');

    const consent = await go('POST', `${path}/consent`, {
      decision: 'allow',
      csrf: csrfOf(consentPage.body),
    });
    expect(consent.statusCode).toBe(303);
    expect(consent.headers.location).toBe(`https://app.example/cb?code=c-1&state=st&${ISS}`);
    expect(getSession).toHaveBeenCalledWith({ sid: 'sid-new' });
    expect(authorize).toHaveBeenCalledWith(
      expect.objectContaining({
        clientId: 'app',
        sub: 'user-1',
        sid: 'sid-new',
        scope: ['openid', 'email'],
      }),
    );
    // The interaction is over: its cookie is deleted and its page is gone.
    expect(consent.headers['set-cookie']).toEqual([
      expect.stringMatching(new RegExp(`^idp_interaction=; Path=${path}; Max-Age=0;`)),
    ]);
    expect((await go('GET', path)).statusCode).toBe(400);
  });

  it('finishes right after the login for a client that skips consent', async () => {
    getClient.mockResolvedValue({ client: clientJson({ skip_consent: true }) });
    const { path, csrf } = await startLogin();
    const login = await go('POST', `${path}/login`, {
      username: 'ada',
      password: 'correct horse',
      csrf,
    });
    expect(login.statusCode).toBe(303);
    expect(login.headers.location).toBe(`https://app.example/cb?code=c-1&state=st&${ISS}`);
    expect(login.headers['set-cookie']).toEqual([
      expect.stringMatching(new RegExp(`^idp_interaction=; Path=${path}; Max-Age=0;`)),
      expect.stringMatching(/^idp_session=/),
    ]);
  });

  it('answers wrong credentials with the same page and status 200, keeping what was typed', async () => {
    const { path, csrf } = await startLogin();
    for (const username of ['ada', 'nobody']) {
      const res = await go('POST', `${path}/login`, { username, password: 'wrong', csrf });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('Wrong username or password.');
      expect(res.body).toContain(`value="${username}"`);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    const tooLong = await go('POST', `${path}/login`, {
      username: 'ada',
      password: 'x'.repeat(1001),
      csrf,
    });
    expect(tooLong.statusCode).toBe(200);
    expect(authenticateUser).toHaveBeenCalledTimes(2);
    expect(startSession).not.toHaveBeenCalled();
  });

  it('refuses a missing or foreign CSRF token before checking any password', async () => {
    const first = await startLogin();
    const second = await startLogin();
    for (const csrf of [undefined, 'x', second.csrf]) {
      const res = await go('POST', `${first.path}/login`, {
        username: 'ada',
        password: 'correct horse',
        ...(csrf === undefined ? {} : { csrf }),
        interaction_id: second.path.split('/')[2] as string,
      });
      expect(res.statusCode).toBe(403);
      expect(res.body).toContain('This sign-in form expired. Please try again.');
    }
    expect(authenticateUser).not.toHaveBeenCalled();
  });

  it('sends a denial to the client as access_denied', async () => {
    const { path, csrf } = await startLogin();
    await go('POST', `${path}/login`, { username: 'ada', password: 'correct horse', csrf });
    const consentPage = await go('GET', path);
    const res = await go('POST', `${path}/consent`, {
      decision: 'deny',
      csrf: csrfOf(consentPage.body),
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(
      `https://app.example/cb?error=access_denied&error_description=the+resource+owner+denied+the+request&state=st&${ISS}`,
    );
    expect(authorize).not.toHaveBeenCalled();
  });

  it('goes back to the login page when the session ended while the consent page was open', async () => {
    const { path, csrf } = await startLogin();
    await go('POST', `${path}/login`, { username: 'ada', password: 'correct horse', csrf });
    const consentPage = await go('GET', path);
    getSession.mockResolvedValue({ session: null });
    const res = await go('POST', `${path}/consent`, {
      decision: 'allow',
      csrf: csrfOf(consentPage.body),
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`https://idp.example.com${path}`);
    expect((await go('GET', path)).body).toContain('Sign in to continue');
    expect(authorize).not.toHaveBeenCalled();
  });

  it('sends a request for the other step to the current page', async () => {
    const { path, csrf } = await startLogin();
    const res = await go('POST', `${path}/consent`, { decision: 'allow', csrf });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`https://idp.example.com${path}`);
  });

  it('shows the expired page without the interaction cookie', async () => {
    const { path, csrf } = await startLogin();
    const stranger = await app.inject({
      method: 'POST',
      url: `${path}/login`,
      headers: FORM_HEADERS,
      payload: form({ username: 'ada', password: 'correct horse', csrf }),
    });
    expect(stranger.statusCode).toBe(400);
    expect(stranger.headers['content-security-policy']).toBe(PAGE_CSP);
    expect(stranger.body).toContain('this sign-in request has expired or is already complete');
    expect((await app.inject({ url: '/interaction/not-an-id' })).statusCode).toBe(400);
    expect(authenticateUser).not.toHaveBeenCalled();
  });

  it('sends a failure of the login to the client and ends the interaction', async () => {
    authenticateUser.mockRejectedValue(new InvalidRequest('unexpected input'));
    const { path, csrf } = await startLogin();
    const res = await go('POST', `${path}/login`, {
      username: 'ada',
      password: 'correct horse',
      csrf,
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(
      `https://app.example/cb?error=invalid_request&error_description=unexpected+input&state=st&${ISS}`,
    );
    expect(res.headers['set-cookie']).toEqual([expect.stringMatching(/^idp_interaction=; /)]);
  });

  it('answers a password check token-service has no room for with the login page: 503, Retry-After, the interaction kept', async () => {
    authenticateUser.mockRejectedValueOnce(
      new TemporarilyUnavailable('too many sign-ins at once; try again shortly', {
        headers: { 'Retry-After': '1' },
      }),
    );
    const { path, csrf } = await startLogin();
    const busy = await go('POST', `${path}/login`, {
      username: 'ada',
      password: 'correct horse',
      csrf,
    });
    expect(busy.statusCode).toBe(503);
    expect(busy.headers['retry-after']).toBe('1');
    expect(busy.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(busy.body).toContain('Try again shortly.');
    expect(busy.headers['set-cookie']).toBeUndefined();
    const again = await go('POST', `${path}/login`, {
      username: 'ada',
      password: 'correct horse',
      csrf: csrfOf(busy.body),
    });
    expect(again.statusCode).toBe(303);
  });

  it.each([
    ['a body over the limit', FORM_HEADERS, `username=${'a'.repeat(70_000)}`, 413],
    ['an unsupported content type', { 'content-type': 'application/x-weird' }, 'x', 415],
    // One body policy: any body that is not a form is 415, before it is parsed.
    ['malformed JSON', { 'content-type': 'application/json' }, '{"username":', 415],
  ])(
    'answers %s on the login form with the HTML error page',
    async (_, headers, payload, status) => {
      const { path } = await startLogin();
      const cookie = jar.header(path);
      const res = await app.inject({
        method: 'POST',
        url: `${path}/login`,
        headers: { ...headers, ...(cookie === undefined ? {} : { cookie }) },
        payload,
      });
      expect(res.statusCode).toBe(status);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['content-security-policy']).toBe(PAGE_CSP);
      expect(res.body).toContain('<code>invalid_request</code>');
      expect(authenticateUser).not.toHaveBeenCalled();
    },
  );

  it.each([
    ['a password with NUL appended (scrypt would match it)', { password: 'correct horse\u0000' }],
    ['a username with NUL', { username: 'ada\u0000' }],
    ['a password over 1000 characters', { password: 'p'.repeat(1001) }],
  ])('refuses %s without asking token-service', async (_, change) => {
    const { path, csrf } = await startLogin();
    const res = await go('POST', `${path}/login`, {
      username: 'ada',
      password: 'correct horse',
      csrf,
      ...change,
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Wrong username or password.');
    expect(authenticateUser).not.toHaveBeenCalled();
  });
});
