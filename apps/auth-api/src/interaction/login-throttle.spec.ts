import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  clientJson,
  CookieJar,
  createAuthApi,
  form,
  FORM_HEADERS,
  sessionView,
} from '../http/auth-api.fixtures';

const REQUEST = {
  client_id: 'app',
  redirect_uri: 'https://app.example/cb',
  response_type: 'code',
  scope: 'openid',
  state: 'st',
  code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  code_challenge_method: 'S256',
};

/** Sign-in throttling at the login form (ADR 0016), over the in-memory store. */
describe('login throttling', () => {
  let app: NestFastifyApplication;
  const authenticateUser = jest.fn();
  const recordLoginLock = jest.fn();

  beforeEach(async () => {
    authenticateUser.mockReset().mockImplementation(async ({ username, password }) => ({
      sub: username === 'ada' && password === 'correct horse' ? 'user-1' : null,
    }));
    recordLoginLock.mockReset().mockResolvedValue({});
    app = await createAuthApi({
      token: {
        getClient: async () => ({ client: clientJson({ skip_consent: true }) as never }),
        authenticateUser,
        recordLoginLock,
        authorize: async () => ({ code: 'c-1' }),
      },
      session: { startSession: async () => sessionView({ sid: 'sid-new', sub: 'user-1' }) },
      env: {
        LOGIN_THROTTLE_FREE_FAILURES: '2',
        LOGIN_THROTTLE_IP_FREE_FAILURES: '100',
        LOGIN_THROTTLE_DELAY_MS: '30000',
        LOGIN_LOCK_FAILURES: '3',
        LOGIN_LOCK_SECONDS: '600',
      },
    });
  });
  afterEach(() => app.close());

  /** One browser at one login form; `from` is the client address. */
  async function loginForm(from = '10.0.0.1') {
    const jar = new CookieJar();
    const go = async (method: 'GET' | 'POST', url: string, body?: Record<string, string>) => {
      const path = url.startsWith('https://') ? new URL(url).pathname : url;
      const cookie = jar.header(path);
      const res = await app.inject({
        method,
        url: path,
        remoteAddress: from,
        headers: { ...(cookie === undefined ? {} : { cookie }), ...(body ? FORM_HEADERS : {}) },
        ...(body ? { payload: form(body) } : {}),
      });
      jar.store(res.headers['set-cookie']);
      return res;
    };
    const authz = await go('GET', `/authorize?${form(REQUEST)}`);
    const path = new URL(authz.headers.location as string).pathname;
    let page = await go('GET', path);
    return async (username: string, password: string) => {
      const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] as string;
      const res = await go('POST', `${path}/login`, { username, password, csrf });
      page = res.statusCode === 303 ? page : res;
      return res;
    };
  }

  const errorOf = (html: string) => /role="alert">([^<]*)</.exec(html)?.[1];

  it('delays a username after its free failures: 429, Retry-After, no password check', async () => {
    const login = await loginForm();
    for (let i = 0; i < 3; i++) expect((await login('ada', 'wrong')).statusCode).toBe(200);
    expect(authenticateUser).toHaveBeenCalledTimes(3);
    const refused = await login('ada', 'correct horse');
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(29);
    expect(errorOf(refused.body)).toBe(
      'Too many failed sign-in attempts. Wait a while, then try again.',
    );
    expect(authenticateUser).toHaveBeenCalledTimes(3);
    // Another user is not held back by ada's failures.
    expect((await (await loginForm())('bob', 'wrong')).statusCode).toBe(200);
  });

  it('looks the same for a username that has no account', async () => {
    const known = await loginForm();
    const unknown = await loginForm();
    for (let i = 0; i < 3; i++) {
      await known('ada', 'wrong');
      await unknown('nobody', 'wrong');
    }
    const [a, b] = [await known('ada', 'wrong'), await unknown('nobody', 'wrong')];
    expect([a.statusCode, b.statusCode]).toEqual([429, 429]);
    expect(a.headers['retry-after']).toBe(b.headers['retry-after']);
    expect(errorOf(a.body)).toBe(errorOf(b.body));
  });

  it('a correct password clears the count', async () => {
    const login = await loginForm();
    await login('ada', 'wrong');
    await login('ada', 'wrong');
    expect((await login('ada', 'correct horse')).statusCode).toBe(303);
    const next = await loginForm();
    await next('ada', 'wrong');
    await next('ada', 'wrong');
    expect((await next('ada', 'wrong')).statusCode).toBe(200);
  });

  it('records the lock as an event (by key, never the name) when the failures reach the limit', async () => {
    const policyFree = await createAuthApi({
      token: {
        getClient: async () => ({ client: clientJson() as never }),
        authenticateUser,
        recordLoginLock,
      },
      env: { LOGIN_THROTTLE_FREE_FAILURES: '10', LOGIN_LOCK_FAILURES: '3' },
    });
    try {
      const original = app;
      app = policyFree;
      const login = await loginForm();
      for (let i = 0; i < 3; i++) await login('Nobody', 'wrong');
      expect(recordLoginLock).toHaveBeenCalledTimes(1);
      const [lock] = recordLoginLock.mock.calls[0] as [
        { key: string; until: number; failures: number },
      ];
      expect(lock.key).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(lock.failures).toBe(3);
      expect(lock.until).toBeGreaterThan(Date.now() / 1000 + 800);
      const locked = await login('nobody', 'wrong');
      expect(locked.statusCode).toBe(429);
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(800);
      app = original;
    } finally {
      await policyFree.close();
    }
  });

  it('lets one address have only LOGIN_CONCURRENCY_PER_IP checks in flight; the rest get 429 at once, uncounted', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    authenticateUser.mockImplementation(async () => (await held, { sub: null }));
    const forms = await Promise.all(Array.from({ length: 5 }, () => loginForm('203.0.113.9')));
    const answers = Promise.all(forms.map((login, i) => login(`name-${i}`, 'wrong')));
    await new Promise((r) => setTimeout(r, 200));
    expect(authenticateUser).toHaveBeenCalledTimes(2);
    release();
    const statuses = (await answers).map((a) => a.statusCode).sort();
    expect(statuses).toEqual([200, 200, 429, 429, 429]);
    // Those three were never counted: the address still has its free failures.
    authenticateUser.mockImplementation(async () => ({ sub: null }));
    expect((await (await loginForm('203.0.113.9'))('x', 'wrong')).statusCode).toBe(200);
  });

  it('slows down one address trying many usernames, not other addresses', async () => {
    const perIp = await createAuthApi({
      token: {
        getClient: async () => ({ client: clientJson({ skip_consent: true }) as never }),
        authenticateUser,
        authorize: async () => ({ code: 'c-1' }),
      },
      session: { startSession: async () => sessionView({ sid: 'sid-new', sub: 'user-1' }) },
      env: { LOGIN_THROTTLE_IP_FREE_FAILURES: '3', LOGIN_THROTTLE_DELAY_MS: '30000' },
    });
    const original = app;
    app = perIp;
    try {
      const attacker = await loginForm('203.0.113.7');
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await attacker(`user-${i}`, 'wrong')).statusCode);
      expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
      expect((await (await loginForm('198.51.100.2'))('ada', 'correct horse')).statusCode).toBe(
        303,
      );
    } finally {
      app = original;
      await perIp.close();
    }
  });
});
