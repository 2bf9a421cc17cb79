import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CacheUnavailableError, InMemoryPushedRequestStore } from '@idp/cache';
import {
  clientJson,
  CookieJar,
  createAuthApi,
  form,
  FORM_HEADERS,
  sessionView,
  testConfig,
  type Fakes,
} from '../http/auth-api.fixtures';
import { OAuthError } from '@idp/oauth-errors';
import { EdgeConfig } from '../http/edge-config';
import { signSessionId } from '../http/session-cookie';

const ISS = 'iss=https%3A%2F%2Fidp.example.com';
const PUSHED = {
  client_id: 'spa',
  redirect_uri: 'https://app.example/cb',
  response_type: 'code',
  scope: 'openid email',
  state: 'st',
  nonce: 'n-1',
  code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  code_challenge_method: 'S256',
};
const sessionCookie = `idp_session=${signSessionId(new EdgeConfig(testConfig()).sessionCookieKey, 'sid-1')}`;
const NEW_SESSION = sessionView({ sid: 'sid-new', sub: 'user-1' });

/** Registered clients: `spa` (public), `other` (public), `strict` (requires PAR). */
const CLIENTS: Record<string, Record<string, unknown>> = {
  spa: clientJson({ client_id: 'spa', token_endpoint_auth_method: 'none', skip_consent: true }),
  other: clientJson({ client_id: 'other', token_endpoint_auth_method: 'none', skip_consent: true }),
  strict: clientJson({
    client_id: 'strict',
    token_endpoint_auth_method: 'none',
    skip_consent: true,
    require_pushed_authorization_requests: true,
  }),
};

describe('/authorize with a pushed request_uri (RFC 9126 4)', () => {
  let now: number;
  let store: InMemoryPushedRequestStore;
  /** Two auth-api replicas over one store, as the distributed mode runs them over Redis. */
  let pusher: NestFastifyApplication;
  let redeemer: NestFastifyApplication;
  const getClient = jest.fn();
  const authenticatePushingClient = jest.fn();
  const authorize = jest.fn();
  const authenticateUser = jest.fn();
  const getSession = jest.fn();
  const startSession = jest.fn();
  const requestObject = jest.fn();
  const fakes = (): Fakes => ({
    token: { getClient, authenticatePushingClient, authorize, authenticateUser, requestObject },
    session: { getSession, startSession },
    pushedRequests: store,
  });

  beforeAll(async () => {
    now = Date.now();
    store = new InMemoryPushedRequestStore({ now: () => now });
    pusher = await createAuthApi(fakes());
    redeemer = await createAuthApi(fakes());
  });
  afterAll(async () => {
    await pusher.close();
    await redeemer.close();
  });
  beforeEach(() => {
    now = Date.now();
    getClient
      .mockReset()
      .mockImplementation(async ({ clientId }) => ({ client: CLIENTS[clientId] ?? null }));
    authenticatePushingClient
      .mockReset()
      .mockImplementation(async ({ clientAuth }) => ({ client: CLIENTS[clientAuth.clientId] }));
    authorize.mockReset().mockResolvedValue({ code: 'c-1' });
    authenticateUser.mockReset().mockResolvedValue({ sub: 'user-1' });
    getSession.mockReset().mockImplementation(async ({ sid }) => ({
      session: sid === 'sid-1' ? sessionView() : sid === 'sid-new' ? NEW_SESSION : null,
    }));
    startSession.mockReset().mockResolvedValue(NEW_SESSION);
  });

  async function push(params: Record<string, string> = PUSHED): Promise<string> {
    const res = await pusher.inject({
      method: 'POST',
      url: '/par',
      headers: FORM_HEADERS,
      payload: form(params),
    });
    expect(res.statusCode).toBe(201);
    return res.json().request_uri as string;
  }

  const authorizeWith = (
    params: Record<string, string>,
    cookie: string | undefined = sessionCookie,
    app: NestFastifyApplication = redeemer,
  ) =>
    app.inject({
      method: 'GET',
      url: `/authorize?${form(params)}`,
      headers: cookie === undefined ? {} : { cookie },
    });

  /** Shown on our page, not sent to any redirect_uri. */
  function expectPage(res: Awaited<ReturnType<typeof authorizeWith>>, error: string): void {
    expect(res.statusCode).toBe(400);
    expect(res.headers.location).toBeUndefined();
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain(error);
  }

  it('runs the pushed request through another replica, with only client_id beside the request_uri', async () => {
    const requestUri = await push();
    const res = await authorizeWith({ client_id: 'spa', request_uri: requestUri });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`https://app.example/cb?code=c-1&state=st&${ISS}`);
    expect(authorize).toHaveBeenCalledWith(
      expect.objectContaining({
        clientId: 'spa',
        scope: ['openid', 'email'],
        redirectUri: 'https://app.example/cb',
        redirectUriSupplied: true,
        responseType: 'code',
        nonce: 'n-1',
        state: 'st',
        codeChallenge: PUSHED.code_challenge,
        codeChallengeMethod: 'S256',
      }),
    );
  });

  it('refuses a request_uri used once already (single use) on our page', async () => {
    const requestUri = await push();
    expect((await authorizeWith({ client_id: 'spa', request_uri: requestUri })).statusCode).toBe(
      303,
    );
    expectPage(
      await authorizeWith({ client_id: 'spa', request_uri: requestUri }, sessionCookie, pusher),
      'invalid_request_uri',
    );
    expect(authorize).toHaveBeenCalledTimes(1);
  });

  it('refuses an expired request_uri (RFC 9126 4: "MUST be rejected as invalid")', async () => {
    const requestUri = await push();
    now += 61_000;
    expectPage(
      await authorizeWith({ client_id: 'spa', request_uri: requestUri }),
      'invalid_request_uri',
    );
    expect(authorize).not.toHaveBeenCalled();
  });

  it("refuses another client's request_uri, which stays usable by its own client", async () => {
    const requestUri = await push();
    expectPage(
      await authorizeWith({ client_id: 'other', request_uri: requestUri }),
      'invalid_request_uri',
    );
    expect((await authorizeWith({ client_id: 'spa', request_uri: requestUri })).statusCode).toBe(
      303,
    );
  });

  it('refuses an unknown or malformed urn, and a request_uri without (or with an unknown) client_id', async () => {
    const unknown = `urn:ietf:params:oauth:request_uri:${'A'.repeat(43)}`;
    expectPage(
      await authorizeWith({ client_id: 'spa', request_uri: unknown }),
      'invalid_request_uri',
    );
    expectPage(
      await authorizeWith({ client_id: 'spa', request_uri: 'urn:ietf:params:oauth:request_uri:x' }),
      'invalid_request_uri',
    );
    const requestUri = await push();
    expectPage(await authorizeWith({ request_uri: requestUri }), 'invalid_request');
    expectPage(
      await authorizeWith({ client_id: 'nobody', request_uri: requestUri }),
      'invalid_client',
    );
    // None of that spent it.
    expect((await authorizeWith({ client_id: 'spa', request_uri: requestUri })).statusCode).toBe(
      303,
    );
  });

  it('ignores every other parameter sent beside the request_uri (RFC 9101 5)', async () => {
    const requestUri = await push();
    const res = await authorizeWith({
      client_id: 'spa',
      request_uri: requestUri,
      redirect_uri: 'https://evil.example/cb',
      response_type: 'code id_token',
      scope: 'openid profile',
      state: 'forged',
      code_challenge: 'x'.repeat(43),
      prompt: 'none',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`https://app.example/cb?code=c-1&state=st&${ISS}`);
    expect(authorize).toHaveBeenCalledWith(
      expect.objectContaining({ scope: ['openid', 'email'], codeChallenge: PUSHED.code_challenge }),
    );
  });

  it('refuses a pushed request whose redirect_uri the client no longer has', async () => {
    const requestUri = await push();
    getClient.mockResolvedValue({
      client: { ...CLIENTS['spa'], redirect_uris: ['https://app.example/new'] },
    });
    expectPage(
      await authorizeWith({ client_id: 'spa', request_uri: requestUri }),
      'invalid_request_uri',
    );
  });

  it('leaves request_uri values that are not ours to the request object resolver (RFC 9101)', async () => {
    requestObject.mockRejectedValueOnce(
      new OAuthError('request_uri_not_supported', { description: 'not registered' }),
    );
    const res = await authorizeWith({
      ...PUSHED,
      request_uri: 'https://app.example/request.jwt',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toMatch(
      /^https:\/\/app\.example\/cb\?error=request_uri_not_supported/,
    );
  });

  it('signs the user in and resumes from the pushed request, without redeeming the request_uri again', async () => {
    const jar = new CookieJar();
    const go = async (method: 'GET' | 'POST', url: string, body?: Record<string, string>) => {
      const path = url.startsWith('https://') ? new URL(url).pathname + new URL(url).search : url;
      const cookie = jar.header(path);
      // Alternate replicas: any of them continues any interaction (ADR 0006).
      const app = method === 'GET' ? redeemer : pusher;
      const res = await app.inject({
        method,
        url: path,
        headers: { ...(cookie === undefined ? {} : { cookie }), ...(body ? FORM_HEADERS : {}) },
        ...(body ? { payload: form(body) } : {}),
      });
      jar.store(res.headers['set-cookie']);
      return res;
    };
    const redeem = jest.spyOn(store, 'redeem');
    const requestUri = await push({ ...PUSHED, prompt: 'login' });
    const authz = await go(
      'GET',
      `/authorize?${form({ client_id: 'spa', request_uri: requestUri })}`,
    );
    expect(authz.statusCode).toBe(303);
    const interaction = new URL(authz.headers.location as string).pathname;
    expect(interaction).toMatch(/^\/interaction\//);
    const page = await go('GET', interaction);
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] as string;
    const login = await go('POST', `${interaction}/login`, {
      username: 'ada',
      password: 'correct horse',
      csrf,
    });
    expect(login.statusCode).toBe(303);
    expect(login.headers.location).toBe(`https://app.example/cb?code=c-1&state=st&${ISS}`);
    expect(authorize).toHaveBeenCalledWith(
      expect.objectContaining({
        clientId: 'spa',
        sid: 'sid-new',
        codeChallenge: PUSHED.code_challenge,
      }),
    );
    expect(redeem).toHaveBeenCalledTimes(1);
    redeem.mockRestore();
  });

  it('answers 503 temporarily_unavailable on the page when the store cannot answer, never a miss', async () => {
    const requestUri = await push();
    const redeem = jest
      .spyOn(store, 'redeem')
      .mockRejectedValueOnce(new CacheUnavailableError('down'));
    const res = await authorizeWith({ client_id: 'spa', request_uri: requestUri });
    expect(res.statusCode).toBe(503);
    expect(res.headers.location).toBeUndefined();
    expect(res.body).toContain('temporarily_unavailable');
    redeem.mockRestore();
    // Nothing was taken: the request is still there for the retry.
    expect((await authorizeWith({ client_id: 'spa', request_uri: requestUri })).statusCode).toBe(
      303,
    );
  });

  describe('where PAR is required', () => {
    it('refuses a client registered with require_pushed_authorization_requests unless it pushed (invalid_request)', async () => {
      const plain = await authorizeWith({ ...PUSHED, client_id: 'strict' });
      expect(plain.statusCode).toBe(303);
      expect(plain.headers.location).toMatch(
        /^https:\/\/app\.example\/cb\?error=invalid_request&error_description=[^&]*pushed[^&]*&state=st&iss=/,
      );
      expect(authorize).not.toHaveBeenCalled();
      const requestUri = await push({ ...PUSHED, client_id: 'strict' });
      const res = await authorizeWith({ client_id: 'strict', request_uri: requestUri });
      expect(res.headers.location).toBe(`https://app.example/cb?code=c-1&state=st&${ISS}`);
      // Other clients are not affected while the global switch is off.
      expect((await authorizeWith(PUSHED)).headers.location).toMatch(/\?code=c-1/);
    });

    it('refuses every client unless it pushed when REQUIRE_PUSHED_AUTHORIZATION_REQUESTS is on', async () => {
      const strict = await createAuthApi({
        ...fakes(),
        env: { REQUIRE_PUSHED_AUTHORIZATION_REQUESTS: 'true' },
      });
      try {
        const plain = await authorizeWith(PUSHED, sessionCookie, strict);
        expect(plain.headers.location).toMatch(/\?error=invalid_request&/);
        const requestUri = await push();
        const res = await authorizeWith(
          { client_id: 'spa', request_uri: requestUri },
          sessionCookie,
          strict,
        );
        expect(res.headers.location).toBe(`https://app.example/cb?code=c-1&state=st&${ISS}`);
      } finally {
        await strict.close();
      }
    });
  });
});
