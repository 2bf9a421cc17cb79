import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { InvalidToken } from '@idp/oauth-errors';
import { ISSUER } from '../http/auth-api.fixtures';
import {
  createRegistrationApi,
  INITIAL_ACCESS_TOKEN,
  JSON_HEADERS,
  registeredInfo,
} from './registration.fixtures';

describe('/register (RFC 7591, RFC 7592)', () => {
  let app: NestFastifyApplication;
  const registerClient = jest.fn();
  const readRegistration = jest.fn();
  const updateRegistration = jest.fn();
  const deleteRegistration = jest.fn();

  beforeAll(async () => {
    app = await createRegistrationApi({
      registerClient,
      readRegistration,
      updateRegistration,
      deleteRegistration,
    });
  });
  afterAll(() => app.close());
  beforeEach(() => jest.resetAllMocks());

  const metadata = { redirect_uris: ['https://rp.example/cb'], client_name: 'RP' };
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const register = (headers: Record<string, string>, payload: unknown = metadata) =>
    app.inject({ method: 'POST', url: '/register', headers, payload: JSON.stringify(payload) });

  it('registers: 201, the information flat, the configuration URI, never cached', async () => {
    registerClient.mockResolvedValue(registeredInfo());
    const res = await register({ ...JSON_HEADERS, ...bearer(INITIAL_ACCESS_TOKEN) });
    expect(res.statusCode).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['pragma']).toBe('no-cache');
    expect(res.json()).toEqual({
      client_id: 'c-1',
      redirect_uris: ['https://rp.example/cb'],
      token_endpoint_auth_method: 'client_secret_basic',
      client_id_issued_at: 1_700_000_000,
      client_secret: 's'.repeat(43),
      client_secret_expires_at: 0,
      registration_access_token: 'rat_token',
      registration_client_uri: `${ISSUER}/register/c-1`,
    });
    expect(registerClient).toHaveBeenCalledWith({ metadata, source: 'dynamic_registration' });
  });

  it.each([
    ['no Authorization header', {}],
    ['a wrong initial access token', bearer('wrong-token')],
    ['another scheme', { authorization: `Basic ${INITIAL_ACCESS_TOKEN}` }],
  ])('answers %s with 401 invalid_token and a Bearer challenge', async (_, auth) => {
    const res = await register({ ...JSON_HEADERS, ...auth });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: 'invalid_token' });
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="idp", error="invalid_token"/);
    expect(registerClient).not.toHaveBeenCalled();
  });

  it.each([
    ['a form body', { 'content-type': 'application/x-www-form-urlencoded' }, 'a=b'],
    ['text', { 'content-type': 'text/plain' }, '{}'],
    ['a JSON array', JSON_HEADERS, '[]'],
  ])('refuses %s with 400 invalid_request', async (_, type, payload) => {
    const res = await app.inject({
      method: 'POST',
      url: '/register',
      headers: { ...type, ...bearer(INITIAL_ACCESS_TOKEN) },
      payload,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('reads, updates and deletes with the registration access token', async () => {
    const info = registeredInfo({ client_secret: undefined });
    readRegistration.mockResolvedValue(info);
    updateRegistration.mockResolvedValue(info);
    deleteRegistration.mockResolvedValue({});
    const auth = bearer('rat_token');
    const read = await app.inject({ method: 'GET', url: '/register/c-1', headers: auth });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ client_id: 'c-1', registration_access_token: 'rat_token' });
    expect(read.headers['cache-control']).toBe('no-store');
    expect(readRegistration.mock.calls[0][0]).toEqual({
      clientId: 'c-1',
      registrationAccessToken: 'rat_token',
    });
    const body = { client_id: 'c-1', ...metadata };
    const put = await app.inject({
      method: 'PUT',
      url: '/register/c-1',
      headers: { ...auth, ...JSON_HEADERS },
      payload: JSON.stringify(body),
    });
    expect(put.statusCode).toBe(200);
    expect(updateRegistration.mock.calls[0][0]).toEqual({
      clientId: 'c-1',
      registrationAccessToken: 'rat_token',
      metadata: body,
    });
    const del = await app.inject({ method: 'DELETE', url: '/register/c-1', headers: auth });
    expect(del.statusCode).toBe(204);
    expect(del.body).toBe('');
  });

  it("passes token-service's invalid_token through, and refuses a missing token itself", async () => {
    readRegistration.mockRejectedValue(
      new InvalidToken('the registration access token is invalid'),
    );
    const wrong = await app.inject({ method: 'GET', url: '/register/c-1', headers: bearer('x') });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['www-authenticate']).toMatch(/error="invalid_token"/);
    const none = await app.inject({ method: 'DELETE', url: '/register/c-1' });
    expect(none.statusCode).toBe(401);
    expect(deleteRegistration).not.toHaveBeenCalled();
  });

  it('requires JSON for an update', async () => {
    const res = await app.inject({
      method: 'PUT',
      url: '/register/c-1',
      headers: { ...bearer('rat_token'), 'content-type': 'text/plain' },
      payload: 'client_id=c-1',
    });
    expect(res.statusCode).toBe(400);
    expect(updateRegistration).not.toHaveBeenCalled();
  });

  it('is off without INITIAL_ACCESS_TOKEN', async () => {
    const off = await createRegistrationApi({ registerClient }, {});
    try {
      const res = await off.inject({
        method: 'POST',
        url: '/register',
        headers: { ...JSON_HEADERS, ...bearer(INITIAL_ACCESS_TOKEN) },
        payload: JSON.stringify(metadata),
      });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({
        error: 'invalid_request',
        error_description: 'dynamic client registration is not enabled on this server',
      });
    } finally {
      await off.close();
    }
  });
});
