import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import type { TokenResponse } from '@idp/contracts';
import { registry } from '@idp/nest-kit';
import { InvalidClient, InvalidGrant, UnsupportedGrantType } from '@idp/oauth-errors';
import {
  createAuthApi,
  form,
  FORM_HEADERS,
  overSocket,
  type SocketAnswer,
} from '../http/auth-api.fixtures';

const TOKENS: TokenResponse = {
  access_token: 'at-1',
  token_type: 'Bearer',
  expires_in: 3600,
  refresh_token: 'rt-1',
  id_token: 'h.p.s',
  scope: 'openid offline_access',
};
const ENDPOINT = 'https://idp.example.com/token';
const CODE_GRANT = {
  grant_type: 'authorization_code',
  code: 'c-1',
  redirect_uri: 'https://app.example/cb',
  code_verifier: 'v'.repeat(43),
};
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('POST /token', () => {
  let app: NestFastifyApplication;
  let request: (path: string, init: RequestInit) => Promise<SocketAnswer>;
  const token = jest.fn();
  /** Every request Fastify routed: /token must never be one of them (ADR 0026). */
  const routedByFastify: string[] = [];

  beforeAll(async () => {
    app = await createAuthApi({
      token: { token },
      beforeInit: (nest) =>
        (nest.getHttpAdapter().getInstance() as FastifyInstance).addHook(
          'onResponse',
          async (req) => {
            routedByFastify.push(req.url);
          },
        ),
    });
    request = await overSocket(app);
  });
  afterAll(() => app.close());
  beforeEach(() => {
    token.mockReset();
    token.mockResolvedValue(TOKENS);
  });

  // Over a real socket: the route is served by node:http ahead of Fastify, which inject() skips.
  const post = (payload: string, headers: Record<string, string> = FORM_HEADERS, path = '/token') =>
    request(path, { method: 'POST', body: payload, headers });

  it('is served ahead of Fastify and Nest, with the request id and RED metrics of any route', async () => {
    routedByFastify.length = 0;
    const before = await requestCount('200');
    const res = await post(form({ ...CODE_GRANT, client_id: 'spa' }), {
      ...FORM_HEADERS,
      'x-request-id': 'req-token-1',
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-request-id']).toBe('req-token-1');
    expect(await requestCount('200')).toBe(before + 1);
    // Fastify still serves every other route.
    expect((await request('/.well-known/openid-configuration', {})).statusCode).toBe(200);
    expect(routedByFastify).toEqual(['/.well-known/openid-configuration']);
  });

  it('passes the grant and Basic credentials to token-service and returns its response uncached', async () => {
    const res = await post(form(CODE_GRANT), {
      ...FORM_HEADERS,
      authorization: basic('app', 's3cret'),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(TOKENS);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['pragma']).toBe('no-cache');
    expect(token).toHaveBeenCalledWith({
      params: CODE_GRANT,
      clientAuth: { method: 'client_secret_basic', clientId: 'app', secret: 's3cret' },
      endpoint: ENDPOINT,
      // The socket peer: no proxy is trusted (TRUST_PROXY=0), for refresh reuse's record (ADR 0038).
      clientIp: '127.0.0.1',
    });
  });

  it('passes the socket peer as the client IP, never a forged X-Forwarded-For (no trusted proxy)', async () => {
    await post(form({ ...CODE_GRANT, client_id: 'spa' }), {
      ...FORM_HEADERS,
      'x-forwarded-for': '203.0.113.9',
    });
    expect(token.mock.calls[0][0].clientIp).toBe('127.0.0.1');
  });

  it('decodes Basic credentials as form-urlencoded (RFC 6749 2.3.1)', async () => {
    const header = basic(encodeURIComponent('my:app'), 'a+b%2Bc%25');
    await post(form(CODE_GRANT), { ...FORM_HEADERS, authorization: header });
    expect(token.mock.calls[0][0].clientAuth).toEqual({
      method: 'client_secret_basic',
      clientId: 'my:app',
      secret: 'a b+c%',
    });
  });

  it('takes client_secret_post, private_key_jwt and public clients from the body, without passing them on as grant parameters', async () => {
    await post(form({ ...CODE_GRANT, client_id: 'app', client_secret: 's3cret' }));
    await post(
      form({
        ...CODE_GRANT,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: `h.${'p'.repeat(3000)}.s`,
      }),
    );
    await post(form({ ...CODE_GRANT, client_id: 'spa' }));
    const calls = token.mock.calls.map(([req]) => req);
    expect(calls.map((c) => c.clientAuth)).toEqual([
      { method: 'client_secret_post', clientId: 'app', secret: 's3cret' },
      { method: 'private_key_jwt', assertion: `h.${'p'.repeat(3000)}.s` },
      { method: 'none', clientId: 'spa' },
    ]);
    for (const call of calls) expect(call.params).toEqual(CODE_GRANT);
  });

  it('refuses a body that is not application/x-www-form-urlencoded, unread, closing the connection', async () => {
    const res = await post(JSON.stringify(CODE_GRANT), { 'content-type': 'application/json' });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toEqual({
      error: 'invalid_request',
      error_description:
        'unsupported content type: the request body must be application/x-www-form-urlencoded',
    });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['pragma']).toBe('no-cache');
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['connection']).toBe('close');
    expect(token).not.toHaveBeenCalled();
  });

  it('refuses a request without a body or content type with 400, keeping the connection', async () => {
    const res = await request('/token', { method: 'POST' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: 'invalid_request',
      error_description: 'the request body must be application/x-www-form-urlencoded',
    });
    expect(res.headers['connection']).toBe('keep-alive');
  });

  it('refuses a body over 64 KiB with 413 and closes the connection', async () => {
    const res = await post(`grant_type=client_credentials&x=${'a'.repeat(70_000)}`);
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({
      error: 'invalid_request',
      error_description: 'request body too large',
    });
    expect(res.headers['connection']).toBe('close');
    expect(token).not.toHaveBeenCalled();
  });

  it('refuses a form that is not UTF-8 with 400 and closes the connection, as the framework parser did', async () => {
    const res = await post('grant_type=client_credentials&scope=%C0%AF');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: 'invalid_request',
      error_description: 'the form is not valid percent-encoded UTF-8',
    });
    expect(res.headers['connection']).toBe('close');
  });

  it('refuses parameters in the query (RFC 6749 3.2)', async () => {
    const res = await post(form({ ...CODE_GRANT, client_id: 'spa' }), FORM_HEADERS, '/token?x=1');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: 'invalid_request',
      error_description: 'parameters must be sent in the request body, not in the query string',
    });
    expect(token).not.toHaveBeenCalled();
  });

  it.each(['GET', 'PUT', 'DELETE'])('answers %s with 405 and Allow: POST', async (method) => {
    const res = await request('/token', { method });
    expect(res.statusCode).toBe(405);
    expect(res.headers['allow']).toBe('POST');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toEqual({
      error: 'invalid_request',
      error_description: 'method not allowed',
    });
  });

  it('answers a failure of token-service as a generic server_error', async () => {
    token.mockRejectedValue(new Error('connection refused: internal detail'));
    const res = await post(form({ ...CODE_GRANT, client_id: 'spa' }));
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('internal detail');
    expect(res.json()).toMatchObject({ error: 'server_error' });
  });

  it('accepts the form media type with a charset parameter', async () => {
    const res = await post(form({ ...CODE_GRANT, client_id: 'spa' }), {
      'content-type': 'application/x-www-form-urlencoded; charset=UTF-8',
    });
    expect(res.statusCode).toBe(200);
  });

  it('refuses a repeated parameter (RFC 6749 3.2)', async () => {
    const res = await post(`${form({ ...CODE_GRANT, client_id: 'spa' })}&code=c-2`);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: 'invalid_request',
      error_description: 'parameter code must not be repeated',
    });
    expect(token).not.toHaveBeenCalled();
  });

  describe('token exchange parameters (RFC 8693)', () => {
    const EXCHANGE = {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      audience: 'svc-b',
    };
    const auth = { ...FORM_HEADERS, authorization: basic('svc-a', 's'.repeat(32)) };

    it('passes a subject_token and actor_token of up to 8192 characters (a JWE) on', async () => {
      const long = 'x'.repeat(8192);
      const res = await post(form({ ...EXCHANGE, subject_token: long, actor_token: long }), auth);
      expect(res.statusCode).toBe(200);
      expect(token).toHaveBeenCalledWith(
        expect.objectContaining({
          params: expect.objectContaining({ subject_token: long, actor_token: long }),
        }),
      );
    });

    it('refuses a longer subject_token, and a repeated audience or subject_token', async () => {
      const tooLong = await post(form({ ...EXCHANGE, subject_token: 'x'.repeat(8193) }), auth);
      expect(tooLong.statusCode).toBe(400);
      expect(tooLong.json()).toMatchObject({ error: 'invalid_request' });
      for (const repeated of ['audience=svc-c', 'subject_token=t2']) {
        const res = await post(`${form({ ...EXCHANGE, subject_token: 't1' })}&${repeated}`, auth);
        expect(res.statusCode).toBe(400);
        expect(res.json()).toMatchObject({ error: 'invalid_request' });
      }
      expect(token).not.toHaveBeenCalled();
    });
  });

  it('refuses two authentication methods (RFC 6749 2.3)', async () => {
    const res = await post(form({ ...CODE_GRANT, client_secret: 'x' }), {
      ...FORM_HEADERS,
      authorization: basic('app', 's3cret'),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: 'invalid_request',
      error_description: 'client authentication must use only one method',
    });
  });

  it.each([
    ['not base64', 'Basic %%%'],
    ['no colon', `Basic ${Buffer.from('app').toString('base64')}`],
    ['bad percent-encoding', basic('app', '%E0%A4%A')],
    ['another scheme', 'Bearer abc'],
  ])(
    'answers a malformed Authorization header (%s) with invalid_client 401 and a Basic challenge',
    async (_, authorization) => {
      const res = await post(form(CODE_GRANT), { ...FORM_HEADERS, authorization });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: 'invalid_client' });
      expect(res.headers['www-authenticate']).toBe('Basic realm="idp"');
      expect(token).not.toHaveBeenCalled();
    },
  );

  it('answers a request without any client authentication with invalid_client 401', async () => {
    const res = await post(form(CODE_GRANT));
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({
      error: 'invalid_client',
      error_description: 'client authentication is required',
    });
    expect(res.headers['www-authenticate']).toBe('Basic realm="idp"');
  });

  it.each([
    [new InvalidGrant('authorization code was already used'), 400, undefined],
    [new InvalidClient('client authentication failed'), 401, 'Basic realm="idp"'],
    [new UnsupportedGrantType('unsupported grant_type'), 400, undefined],
  ])('lets token-service errors through unchanged (%s)', async (err, status, challenge) => {
    token.mockRejectedValue(err);
    const res = await post(form({ ...CODE_GRANT, client_id: 'spa' }));
    expect(res.statusCode).toBe(status);
    expect(res.json()).toEqual(err.toJSON());
    expect(res.headers['www-authenticate']).toBe(challenge);
    expect(res.headers['cache-control']).toBe('no-store');
  });
});

async function requestCount(status: string): Promise<number> {
  return (await registry.getSingleMetricAsString('http_server_request_duration_seconds'))
    .split('\n')
    .filter((l) => l.startsWith('http_server_request_duration_seconds_count{'))
    .filter((l) => l.includes('http_route="/token"'))
    .filter((l) => l.includes(`http_response_status_code="${status}"`))
    .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
}
