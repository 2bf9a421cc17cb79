import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ServerError, TemporarilyUnavailable } from '@idp/oauth-errors';
import {
  clientJson,
  createAuthApi,
  form,
  FORM_HEADERS,
  sessionView,
  testConfig,
} from '../http/auth-api.fixtures';
import { EdgeConfig } from '../http/edge-config';
import { signSessionId } from '../http/session-cookie';
import { PAGE_CSP } from '../interaction/html';

const ISS = 'iss=https%3A%2F%2Fidp.example.com';
const CODE_REQUEST = {
  client_id: 'app',
  redirect_uri: 'https://app.example/cb',
  response_type: 'code',
  scope: 'openid email',
  state: 'st',
  nonce: 'n-1',
  code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  code_challenge_method: 'S256',
};
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': PAGE_CSP,
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};
const sessionCookie = `idp_session=${signSessionId(new EdgeConfig(testConfig()).sessionCookieKey, 'sid-1')}`;

describe('/authorize', () => {
  let app: NestFastifyApplication;
  const getClient = jest.fn();
  const getSession = jest.fn();
  const authorize = jest.fn();

  beforeAll(async () => {
    app = await createAuthApi({ token: { getClient, authorize }, session: { getSession } });
  });
  afterAll(() => app.close());
  // The view getSession answers (its times come from the clock when it was made).
  let liveSession: ReturnType<typeof sessionView>;
  beforeEach(() => {
    liveSession = sessionView();
    getClient.mockReset().mockImplementation(async ({ clientId }) => ({
      client: clientId === 'app' ? clientJson({ skip_consent: true }) : null,
    }));
    getSession.mockReset().mockResolvedValue({ session: liveSession });
    authorize.mockReset().mockResolvedValue({ code: 'c-1' });
  });

  const get = (params: Record<string, string>, cookie?: string) =>
    app.inject({
      method: 'GET',
      url: `/authorize?${form(params)}`,
      headers: cookie === undefined ? {} : { cookie },
    });

  it('issues a code at once for a live session and a client that skips consent', async () => {
    const res = await get(CODE_REQUEST, sessionCookie);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`https://app.example/cb?code=c-1&state=st&${ISS}`);
    expect(res.headers['cache-control']).toBe('no-store');
    // Reusing the session is a use of it: session-service slides its idle expiry.
    expect(getSession).toHaveBeenCalledWith({ sid: 'sid-1', touch: true });
    // The session's own auth_time (a second view made now could fall in the next second).
    expect(authorize).toHaveBeenCalledWith({
      clientId: 'app',
      sub: 'user-1',
      sid: 'sid-1',
      authTime: liveSession.authTime,
      amr: ['pwd'],
      // A session from before acr was recorded: the class follows from its amr (pwd).
      acr: 'urn:idp:acr:pwd',
      scope: ['openid', 'email'],
      redirectUri: 'https://app.example/cb',
      redirectUriSupplied: true,
      responseType: 'code',
      nonce: 'n-1',
      state: 'st',
      codeChallenge: CODE_REQUEST.code_challenge,
      codeChallengeMethod: 'S256',
    });
  });

  it('accepts POST with a form body (OIDC Core 3.1.2.1)', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/authorize',
      headers: { ...FORM_HEADERS, cookie: sessionCookie },
      payload: form(CODE_REQUEST),
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`https://app.example/cb?code=c-1&state=st&${ISS}`);
  });

  it('sends the implicit and hybrid responses through form_post as an auto-submitting page', async () => {
    authorize.mockResolvedValue({
      code: 'c-1',
      id_token: 'h.p.s',
      access_token: 'at-1',
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'openid email',
    });
    const res = await get(
      { ...CODE_REQUEST, response_type: 'code id_token token', response_mode: 'form_post' },
      sessionCookie,
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-security-policy']).toMatch(/script-src 'nonce-[A-Za-z0-9_-]{22}'/);
    expect(res.body).toContain('<form method="post" action="https://app.example/cb">');
    for (const [name, value] of [
      ['code', 'c-1'],
      ['id_token', 'h.p.s'],
      ['access_token', 'at-1'],
      ['token_type', 'Bearer'],
      ['expires_in', '3600'],
      ['scope', 'openid email'],
      ['state', 'st'],
      ['iss', 'https://idp.example.com'],
    ]) {
      expect(res.body).toContain(`<input type="hidden" name="${name}" value="${value}">`);
    }
  });

  it('starts a login interaction without a session: 303 to its page and a sealed cookie scoped to it', async () => {
    const res = await get(CODE_REQUEST);
    expect(res.statusCode).toBe(303);
    const id = /^https:\/\/idp\.example\.com\/interaction\/([A-Za-z0-9_-]{22})$/.exec(
      res.headers.location as string,
    )?.[1];
    expect(id).toBeDefined();
    expect(res.headers['set-cookie']).toEqual([
      expect.stringMatching(
        new RegExp(
          `^idp_interaction=[A-Za-z0-9_-]+; Path=/interaction/${id}; Max-Age=600; HttpOnly; SameSite=Lax; Secure$`,
        ),
      ),
    ]);
    expect(getSession).not.toHaveBeenCalled();
    expect(authorize).not.toHaveBeenCalled();
  });

  it('ignores a session cookie it did not sign', async () => {
    const res = await get(
      CODE_REQUEST,
      'idp_session=c2lkLTE.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    );
    expect(res.headers.location).toMatch(/\/interaction\//);
    expect(getSession).not.toHaveBeenCalled();
  });

  it.each([
    ['prompt=login', { prompt: 'login' }, sessionView()],
    ['max_age exceeded', { max_age: '30' }, sessionView()],
    ['an ended session', {}, null],
  ])('asks for a login with %s', async (_, extra, session) => {
    getSession.mockResolvedValue({ session });
    const res = await get({ ...CODE_REQUEST, ...extra }, sessionCookie);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toMatch(/^https:\/\/idp\.example\.com\/interaction\//);
    expect(authorize).not.toHaveBeenCalled();
  });

  it.each([
    ['without a session', {}, undefined],
    ['with a session older than max_age', { max_age: '30' }, sessionCookie],
  ])('answers prompt=none %s with login_required', async (_, extra, cookie) => {
    const res = await get({ ...CODE_REQUEST, prompt: 'none', ...extra }, cookie);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(
      `https://app.example/cb?error=login_required&error_description=end-user+authentication+is+required&state=st&${ISS}`,
    );
  });

  it('answers prompt=none with consent_required when the client needs consent', async () => {
    getClient.mockResolvedValue({ client: clientJson() });
    const res = await get({ ...CODE_REQUEST, prompt: 'none' }, sessionCookie);
    expect(res.headers.location).toBe(
      `https://app.example/cb?error=consent_required&error_description=end-user+consent+is+required&state=st&${ISS}`,
    );
  });

  it('shows an error page, never a redirect, for an unknown client or redirect_uri', async () => {
    for (const [params, code] of [
      [{ ...CODE_REQUEST, client_id: 'nope' }, 'invalid_client'],
      [{ ...CODE_REQUEST, redirect_uri: 'https://evil.example/cb' }, 'invalid_redirect_uri'],
    ] as const) {
      const res = await get(params);
      expect(res.statusCode).toBe(400);
      expect(res.headers.location).toBeUndefined();
      expect(res.headers).toMatchObject(PAGE_HEADERS);
      expect(res.body).toContain(`<code>${code}</code>`);
    }
  });

  it('shows an error page for a repeated parameter', async () => {
    const res = await app.inject({ url: `/authorize?${form(CODE_REQUEST)}&state=again` });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('parameter state must not be repeated');
  });

  it('sends validation errors after the redirect_uri check back to the client', async () => {
    const res = await get({ ...CODE_REQUEST, response_type: 'token' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(
      `https://app.example/cb?error=unsupported_response_type&error_description=unsupported+response_type&state=st&${ISS}`,
    );
  });

  it('shows a 503 page when the client cannot be looked up', async () => {
    getClient.mockRejectedValue(new TemporarilyUnavailable('upstream service unavailable'));
    const res = await get(CODE_REQUEST);
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('<code>temporarily_unavailable</code>');
  });

  it('sends failures after validation to the client, a server error without its details', async () => {
    getSession.mockRejectedValueOnce(new TemporarilyUnavailable('upstream service unavailable'));
    const down = await get(CODE_REQUEST, sessionCookie);
    expect(down.headers.location).toBe(
      `https://app.example/cb?error=temporarily_unavailable&error_description=upstream+service+unavailable&state=st&${ISS}`,
    );
    authorize.mockRejectedValueOnce(new ServerError(new Error('relation "grants" does not exist')));
    const broken = await get(CODE_REQUEST, sessionCookie);
    expect(broken.headers.location).toBe(
      `https://app.example/cb?error=server_error&error_description=an+unexpected+error+occurred&state=st&${ISS}`,
    );
  });
});
