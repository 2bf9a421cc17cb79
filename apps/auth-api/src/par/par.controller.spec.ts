import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CacheUnavailableError, InMemoryPushedRequestStore } from '@idp/cache';
import { FORM_BODY_LIMIT } from '@idp/nest-kit';
import { InvalidClient, OAuthError } from '@idp/oauth-errors';
import { clientJson, createAuthApi, form, FORM_HEADERS } from '../http/auth-api.fixtures';

const PAR = 'https://idp.example.com/par';
const TOKEN = 'https://idp.example.com/token';
const REQUEST_URI = /^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{43}$/;
const PUSHED = {
  client_id: 'spa',
  redirect_uri: 'https://app.example/cb',
  response_type: 'code',
  scope: 'openid email',
  state: 'st',
  code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  code_challenge_method: 'S256',
};
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/** token-service's answer: the public client `spa` with none, the confidential `app` with Basic. */
async function authenticatePushingClientImpl({
  clientAuth,
}: {
  clientAuth: { method: string; clientId?: string; secret?: string };
}) {
  if (clientAuth.method === 'none' && clientAuth.clientId === 'spa')
    return { client: clientJson({ client_id: 'spa', token_endpoint_auth_method: 'none' }) };
  if (clientAuth.method === 'client_secret_basic' && clientAuth.clientId === 'app') {
    if (clientAuth.secret !== 's3cret')
      throw new InvalidClient('client authentication failed', { scheme: 'Basic' });
    return { client: clientJson() };
  }
  throw new InvalidClient('client authentication failed', { scheme: null });
}

describe('POST /par (RFC 9126 2)', () => {
  let app: NestFastifyApplication;
  let store: InMemoryPushedRequestStore;
  const authenticatePushingClient = jest.fn();
  const requestObject = jest.fn();

  beforeAll(async () => {
    store = new InMemoryPushedRequestStore();
    app = await createAuthApi({
      token: { authenticatePushingClient, requestObject },
      pushedRequests: store,
    });
  });
  afterAll(() => app.close());
  beforeEach(() => {
    authenticatePushingClient.mockReset().mockImplementation(authenticatePushingClientImpl);
    requestObject.mockReset();
  });

  const post = (payload: string, headers: Record<string, string> = FORM_HEADERS, url = '/par') =>
    app.inject({ method: 'POST', url, payload, headers });

  /** Every error of this endpoint is JSON for the client, never a redirect (RFC 9126 2.3). */
  function expectJsonError(
    res: Awaited<ReturnType<typeof post>>,
    status: number,
    error: string,
  ): void {
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers.location).toBeUndefined();
    expect(res.json()).toMatchObject({ error });
  }

  it('answers a public client 201 with a fresh, unguessable request_uri and its lifetime, uncached', async () => {
    const res = await post(form(PUSHED));
    expect(res.statusCode).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.json();
    expect(body).toEqual({ request_uri: expect.stringMatching(REQUEST_URI), expires_in: 60 });
    expect(authenticatePushingClient).toHaveBeenCalledWith({
      clientAuth: { method: 'none', clientId: 'spa' },
      endpoints: [PAR, TOKEN],
    });
    const again = (await post(form(PUSHED))).json();
    expect(again.request_uri).not.toBe(body.request_uri);
  });

  it('keeps only a keyed hash of the request_uri in the store, never the value a client redeems with', async () => {
    const { request_uri } = (await post(form(PUSHED))).json();
    const random = (request_uri as string).split(':').pop() as string;
    expect(store.handles.length).toBeGreaterThan(0);
    for (const handle of store.handles) {
      expect(handle).not.toContain(random);
      expect(handle).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
  });

  it('authenticates a confidential client as /token does (Basic), client_id in the body optional', async () => {
    const { client_id: _omitted, ...withoutId } = PUSHED;
    const res = await post(form(withoutId), {
      ...FORM_HEADERS,
      authorization: basic('app', 's3cret'),
    });
    expect(res.statusCode).toBe(201);
    expect(authenticatePushingClient).toHaveBeenCalledWith({
      clientAuth: { method: 'client_secret_basic', clientId: 'app', secret: 's3cret' },
      endpoints: [PAR, TOKEN],
    });
  });

  it('answers failed client authentication 401 invalid_client, with the Basic challenge when Basic was used', async () => {
    const wrong = await post(form({ ...PUSHED, client_id: 'app' }), {
      ...FORM_HEADERS,
      authorization: basic('app', 'nope'),
    });
    expectJsonError(wrong, 401, 'invalid_client');
    expect(wrong.headers['www-authenticate']).toMatch(/^Basic/);
    const { client_id: _omitted, ...anonymous } = PUSHED;
    expectJsonError(await post(form(anonymous)), 401, 'invalid_client');
    expectJsonError(await post(form({ ...PUSHED, client_id: 'nobody' })), 401, 'invalid_client');
  });

  it('refuses a client_id that is not the authenticated client', async () => {
    const res = await post(form({ ...PUSHED, client_id: 'spa' }), {
      ...FORM_HEADERS,
      authorization: basic('app', 's3cret'),
    });
    expectJsonError(res, 400, 'invalid_request');
    expect(authenticatePushingClient).not.toHaveBeenCalled();
    // Whatever the method: the request is only ever the authenticated client's.
    authenticatePushingClient.mockResolvedValueOnce({ client: clientJson() });
    expectJsonError(await post(form(PUSHED)), 400, 'invalid_request');
  });

  it('takes a pushed request object (RFC 9126 3): verified by token-service, only its parameters stored', async () => {
    const save = jest.spyOn(store, 'save');
    const { state: _s, ...objectParams } = PUSHED;
    requestObject.mockResolvedValue({ params: { ...objectParams, state: 'from-object' } });
    const res = await post(
      form({ client_id: 'spa', request: 'h.p.s', state: 'from-form', scope: 'openid' }),
    );
    expect(res.statusCode).toBe(201);
    expect(requestObject).toHaveBeenCalledWith({ clientId: 'spa', request: 'h.p.s' });
    const saved = JSON.stringify(save.mock.calls.at(-1));
    expect(saved).toContain('from-object');
    expect(saved).not.toContain('from-form');
  });

  it('answers a request object token-service refuses with its error as JSON, never a redirect', async () => {
    requestObject.mockRejectedValue(
      new OAuthError('invalid_request_object', { description: 'signature verification failed' }),
    );
    const save = jest.spyOn(store, 'save').mockClear();
    const res = await post(form({ ...PUSHED, request: 'h.p.s' }));
    expectJsonError(res, 400, 'invalid_request_object');
    expect(save).not.toHaveBeenCalled();
  });

  it('refuses a request_uri inside the push (RFC 9126 2.1)', async () => {
    const res = await post(form({ ...PUSHED, request_uri: 'urn:ietf:params:oauth:request_uri:x' }));
    expectJsonError(res, 400, 'invalid_request');
    expect(res.json().error_description).toMatch(/request_uri/);
  });

  it('refuses another content type (415), query parameters, repeated parameters and an oversized body', async () => {
    expectJsonError(
      await post(JSON.stringify(PUSHED), { 'content-type': 'application/json' }),
      415,
      'invalid_request',
    );
    expectJsonError(
      await post(form(PUSHED), FORM_HEADERS, '/par?scope=openid'),
      400,
      'invalid_request',
    );
    const repeated = `${form(PUSHED)}&scope=profile`;
    const res = await post(repeated);
    expectJsonError(res, 400, 'invalid_request');
    expect(res.json().error_description).toBe('parameter scope must not be repeated');
    expectJsonError(
      await post(`${form(PUSHED)}&pad=${'x'.repeat(FORM_BODY_LIMIT)}`),
      413,
      'invalid_request',
    );
    expect(authenticatePushingClient).not.toHaveBeenCalled();
  });

  it('validates as /authorize does, answering in JSON instead of redirecting', async () => {
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ redirect_uri: 'https://evil.example/cb' }, 'invalid_redirect_uri', /./],
      [{ redirect_uri: 'https://app.example/cb/' }, 'invalid_redirect_uri', /./],
      [{ code_challenge: '', code_challenge_method: '' }, 'invalid_request', /PKCE/],
      [{ code_challenge_method: 'plain' }, 'invalid_request', /plain/],
      [{ response_type: 'token' }, 'unsupported_response_type', /./],
      [{ scope: 'unknown' }, 'invalid_scope', /./],
      [{ prompt: 'none login' }, 'invalid_request', /prompt/],
      [{ max_age: '-1' }, 'invalid_request', /max_age/],
      // OIDC Core 5.5: the claims request parameter, as at /authorize.
      [{ claims: '{"userinfo":["email"]}' }, 'invalid_request', /claims\.userinfo/],
      [
        { claims: '{"id_token":{"acr":{"essential":true,"value":"urn:gold"}}}' },
        'access_denied',
        /acr/,
      ],
    ];
    for (const [change, error, description] of cases) {
      const res = await post(form({ ...PUSHED, ...change }));
      expectJsonError(res, 400, error);
      expect(res.json().error_description).toMatch(description);
    }
  });

  it.each(['GET', 'PUT', 'DELETE'])('answers %s with 405 and Allow: POST', async (method) => {
    const res = await app.inject({ method: method as 'GET', url: '/par' });
    expectJsonError(res, 405, 'invalid_request');
    expect(res.headers.allow).toBe('POST');
  });

  it('answers 503 temporarily_unavailable when the store cannot take the request', async () => {
    const failing = new InMemoryPushedRequestStore();
    jest.spyOn(failing, 'save').mockRejectedValue(new CacheUnavailableError('down'));
    const down = await createAuthApi({
      token: { authenticatePushingClient },
      pushedRequests: failing,
    });
    try {
      const res = await down.inject({
        method: 'POST',
        url: '/par',
        headers: FORM_HEADERS,
        payload: form(PUSHED),
      });
      expectJsonError(res, 503, 'temporarily_unavailable');
      expect(res.headers['retry-after']).toBeDefined();
    } finally {
      await down.close();
    }
  });
});
