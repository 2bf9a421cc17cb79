import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { OAuthError, TemporarilyUnavailable } from '@idp/oauth-errors';
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

const ISS = 'iss=https%3A%2F%2Fidp.example.com';
const sessionCookie = `idp_session=${signSessionId(new EdgeConfig(testConfig()).sessionCookieKey, 'sid-1')}`;
/** What token-service answers for a verified object (its requestObject RPC). */
const CARRIED = {
  client_id: 'app',
  response_type: 'code',
  redirect_uri: 'https://app.example/cb',
  scope: 'openid email',
  state: 'from-object',
  nonce: 'n-1',
  code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  code_challenge_method: 'S256',
};
const JWT = 'eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJhcHAifQ.c2ln';

/**
 * /authorize with a request object (RFC 9101): which parameters count, and
 * where its errors go. Verification itself is token-service's
 * (request-objects.spec.ts there); here its RPC is faked.
 */
describe('/authorize with a request object', () => {
  let app: NestFastifyApplication;
  const getClient = jest.fn();
  const getSession = jest.fn();
  const authorize = jest.fn();
  const requestObject = jest.fn();

  beforeAll(async () => {
    app = await createAuthApi({
      token: { getClient, authorize, requestObject },
      session: { getSession },
    });
  });
  afterAll(() => app.close());
  beforeEach(() => {
    getClient.mockReset().mockImplementation(async ({ clientId }) => ({
      client:
        clientId === 'app'
          ? clientJson({
              skip_consent: true,
              redirect_uris: ['https://app.example/cb', 'https://app.example/other'],
            })
          : null,
    }));
    getSession.mockReset().mockResolvedValue({ session: sessionView() });
    authorize.mockReset().mockResolvedValue({ code: 'c-1' });
    requestObject.mockReset().mockResolvedValue({ params: CARRIED });
  });

  const get = (params: Record<string, string>) =>
    app.inject({
      method: 'GET',
      url: `/authorize?${form(params)}`,
      headers: { cookie: sessionCookie },
    });
  const location = (res: { headers: Record<string, unknown> }) =>
    new URL(String(res.headers['location']));

  it('uses only the object parameters: a different redirect_uri, scope or state in the query is ignored', async () => {
    const res = await get({
      client_id: 'app',
      request: JWT,
      response_type: 'code',
      redirect_uri: 'https://app.example/other',
      scope: 'openid profile',
      state: 'from-query',
      prompt: 'login',
    });
    expect(requestObject).toHaveBeenCalledWith({ clientId: 'app', request: JWT });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`https://app.example/cb?code=c-1&state=from-object&${ISS}`);
    expect(authorize).toHaveBeenCalledWith(
      expect.objectContaining({
        redirectUri: 'https://app.example/cb',
        scope: ['openid', 'email'],
        state: 'from-object',
        nonce: 'n-1',
      }),
    );
  });

  it('does not fill in a parameter the object lacks from the query (nonce, PKCE)', async () => {
    const { nonce: _n, code_challenge: _c, code_challenge_method: _m, ...rest } = CARRIED;
    requestObject.mockResolvedValue({ params: rest });
    const res = await get({
      client_id: 'app',
      request: JWT,
      code_challenge: CARRIED.code_challenge,
      code_challenge_method: 'S256',
    });
    // A confidential client may leave PKCE out: the query challenge is simply not used.
    expect(authorize).toHaveBeenCalledWith(
      expect.objectContaining({ nonce: undefined, codeChallenge: undefined }),
    );
    expect(res.statusCode).toBe(303);
  });

  it('accepts POST with the request in a form body', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/authorize',
      headers: { ...FORM_HEADERS, cookie: sessionCookie },
      payload: form({ client_id: 'app', request: JWT }),
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`https://app.example/cb?code=c-1&state=from-object&${ISS}`);
  });

  it('passes a request_uri to token-service to fetch and verify', async () => {
    const res = await get({ client_id: 'app', request_uri: 'https://app.example/req.jwt#v1' });
    expect(requestObject).toHaveBeenCalledWith({
      clientId: 'app',
      requestUri: 'https://app.example/req.jwt#v1',
    });
    expect(res.statusCode).toBe(303);
  });

  it('refuses request and request_uri together (invalid_request), to the trusted redirect_uri', async () => {
    const res = await get({
      client_id: 'app',
      request: JWT,
      request_uri: 'https://app.example/req.jwt',
      redirect_uri: 'https://app.example/cb',
      state: 'q',
    });
    expect(requestObject).not.toHaveBeenCalled();
    expect(res.statusCode).toBe(303);
    const to = location(res);
    expect(to.searchParams.get('error')).toBe('invalid_request');
    expect(to.searchParams.get('error_description')).toBe(
      'request and request_uri must not both be sent',
    );
    expect(to.searchParams.get('state')).toBe('q');
  });

  it('refuses a query response_type that differs from the object one (OIDC Core 6.1)', async () => {
    const res = await get({
      client_id: 'app',
      request: JWT,
      response_type: 'code id_token',
      redirect_uri: 'https://app.example/cb',
    });
    // A hybrid response type in the query: the error goes in the fragment.
    expect(new URLSearchParams(location(res).hash.slice(1)).get('error')).toBe('invalid_request');
    expect(authorize).not.toHaveBeenCalled();
    // The same values in another order are the same response type.
    requestObject.mockResolvedValue({ params: { ...CARRIED, response_type: 'id_token code' } });
    expect(
      (await get({ client_id: 'app', request: JWT, response_type: 'code id_token' })).statusCode,
    ).toBe(303);
  });

  it('sends invalid_request_object to the query redirect_uri when it is registered, with the query state', async () => {
    requestObject.mockRejectedValue(
      new OAuthError('invalid_request_object', { description: 'the request object expired' }),
    );
    const res = await get({
      client_id: 'app',
      request: JWT,
      response_type: 'code',
      redirect_uri: 'https://app.example/other',
      state: 'q',
    });
    expect(res.statusCode).toBe(303);
    const to = location(res);
    expect(`${to.origin}${to.pathname}`).toBe('https://app.example/other');
    expect(Object.fromEntries(to.searchParams)).toEqual({
      error: 'invalid_request_object',
      error_description: 'the request object expired',
      state: 'q',
      iss: 'https://idp.example.com',
    });
  });

  it('shows invalid_request_object on the error page when the query redirect_uri is missing or not registered', async () => {
    requestObject.mockRejectedValue(
      new OAuthError('invalid_request_object', {
        description: 'the request object signature is invalid',
      }),
    );
    for (const query of [
      { client_id: 'app', request: JWT, scope: 'openid' },
      { client_id: 'app', request: JWT, redirect_uri: 'https://attacker.example/cb' },
      {
        client_id: 'app',
        request: JWT,
        redirect_uri: 'https://app.example/cb',
        state: 'bad\u0001',
      },
    ]) {
      const res = await get(query);
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body).toContain('invalid_request_object');
    }
  });

  it('redirects request_uri_not_supported and invalid_request_uri the same way', async () => {
    for (const error of ['request_uri_not_supported', 'invalid_request_uri'] as const) {
      requestObject.mockRejectedValue(new OAuthError(error, { description: 'no' }));
      const res = await get({
        client_id: 'app',
        request_uri: 'https://app.example/r',
        redirect_uri: 'https://app.example/cb',
      });
      expect(location(res).searchParams.get('error')).toBe(error);
    }
  });

  it('answers temporarily_unavailable, never a 500, when token-service is down', async () => {
    requestObject.mockRejectedValue(new TemporarilyUnavailable('token-service unavailable'));
    const res = await get({
      client_id: 'app',
      request: JWT,
      redirect_uri: 'https://app.example/cb',
    });
    expect(location(res).searchParams.get('error')).toBe('temporarily_unavailable');
  });

  it('refuses object parameters a query could not carry (a bad name) as invalid_request_object', async () => {
    requestObject.mockResolvedValue({ params: { ...CARRIED, 'scope[x]': 'a' } });
    const res = await get({
      client_id: 'app',
      request: JWT,
      redirect_uri: 'https://app.example/cb',
    });
    expect(location(res).searchParams.get('error')).toBe('invalid_request_object');
  });

  it('shows the unknown-client page without asking token-service to verify anything', async () => {
    const res = await get({
      client_id: 'nobody',
      request: JWT,
      redirect_uri: 'https://app.example/cb',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('invalid_client');
    expect(requestObject).not.toHaveBeenCalled();
  });

  it('leaves a pushed authorization request_uri (RFC 9126) to the PAR redemption, never to token-service', async () => {
    const res = await get({
      client_id: 'app',
      request_uri: 'urn:ietf:params:oauth:request_uri:abc',
      redirect_uri: 'https://app.example/cb',
      response_type: 'code',
    });
    expect(requestObject).not.toHaveBeenCalled();
    // Not one POST /par issued: shown on our page (RFC 9126 4), never sent to a redirect_uri.
    expect(res.headers['location']).toBeUndefined();
    expect(res.body).toContain('invalid_request_uri');
  });
});
