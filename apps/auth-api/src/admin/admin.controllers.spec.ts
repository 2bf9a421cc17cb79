import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { OAuthError } from '@idp/oauth-errors';
import {
  ADMIN_TOKEN,
  createRegistrationApi,
  JSON_HEADERS,
  registeredInfo,
} from '../registration/registration.fixtures';

describe('/admin', () => {
  let app: NestFastifyApplication;
  const rpc = {
    registerClient: jest.fn(),
    readClient: jest.fn(),
    replaceClient: jest.fn(),
    deleteClient: jest.fn(),
    rotateClientSecret: jest.fn(),
    createUser: jest.fn(),
    readUser: jest.fn(),
    updateUser: jest.fn(),
    deleteUser: jest.fn(),
    revokeUserTokens: jest.fn(),
    revokeClientTokens: jest.fn(),
    revokeSessionTokens: jest.fn(),
  };
  const tokens = { introspect: jest.fn(), getClient: jest.fn() };
  const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
  const byAdminToken = { actor: { kind: 'admin_token' } };
  const send = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown) =>
    app.inject({
      method,
      url,
      headers: { ...auth, ...(body === undefined ? {} : JSON_HEADERS) },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });

  beforeAll(async () => {
    app = await createRegistrationApi(rpc, undefined, tokens);
  });
  afterAll(() => app.close());
  beforeEach(() => {
    jest.resetAllMocks();
    tokens.introspect.mockResolvedValue({
      key: null,
      record: { active: false, reason: 'unknown' },
    });
  });

  it('refuses a missing or wrong admin token with 401 invalid_token, before any work', async () => {
    for (const headers of [{}, { authorization: 'Bearer not-the-admin-token' }]) {
      const res = await app.inject({ method: 'GET', url: '/admin/users/u-1', headers });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: 'invalid_token' });
      expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
    }
    expect(rpc.readUser).not.toHaveBeenCalled();
  });

  it('creates a client with a chosen secret: 201, the secret split off the metadata', async () => {
    const secret = 'x'.repeat(40);
    rpc.registerClient.mockResolvedValue(
      registeredInfo({ source: 'admin', registration_access_token: undefined }),
    );
    const res = await send('POST', '/admin/clients', {
      client_id: 'c-1',
      skip_consent: true,
      client_secret: secret,
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ client_id: 'c-1', source: 'admin' });
    expect(res.json()).not.toHaveProperty('registration_client_uri');
    expect(rpc.registerClient.mock.calls[0][0]).toEqual({
      metadata: { client_id: 'c-1', skip_consent: true },
      source: 'admin',
      clientSecret: secret,
      ...byAdminToken,
    });
    const weak = await send('POST', '/admin/clients', { client_secret: 'short' });
    expect(weak.statusCode).toBe(400);
    expect(weak.json()).toMatchObject({ error: 'invalid_client_metadata' });
    expect(weak.json().error_description).toMatch(/^client_secret: /);
  });

  it('validates client bodies against the documented schema before any RPC (RFC 7591 error codes)', async () => {
    const badUri = await send('POST', '/admin/clients', { redirect_uris: ['not a uri'] });
    expect([badUri.statusCode, badUri.json().error]).toEqual([400, 'invalid_redirect_uri']);
    const badType = await send('PUT', '/admin/clients/c-1', { skip_consent: 'yes' });
    expect([badType.statusCode, badType.json().error]).toEqual([400, 'invalid_client_metadata']);
    expect(badType.json().error_description).toMatch(/^skip_consent: /);
    expect(rpc.registerClient).not.toHaveBeenCalled();
    expect(rpc.replaceClient).not.toHaveBeenCalled();
  });

  it('reads, replaces, deletes and rotates', async () => {
    rpc.readClient.mockResolvedValue(registeredInfo({ client_secret: undefined }));
    rpc.replaceClient.mockResolvedValue(registeredInfo());
    rpc.deleteClient.mockResolvedValue({});
    rpc.rotateClientSecret.mockResolvedValue({
      client_id: 'c-1',
      client_secret: 'n'.repeat(43),
      client_secret_expires_at: 0,
    });
    expect((await send('GET', '/admin/clients/c-1')).statusCode).toBe(200);
    expect((await send('PUT', '/admin/clients/c-1', { client_name: 'x' })).statusCode).toBe(200);
    expect(rpc.replaceClient.mock.calls[0][0]).toEqual({
      clientId: 'c-1',
      metadata: { client_name: 'x' },
      ...byAdminToken,
    });
    expect((await send('DELETE', '/admin/clients/c-1')).statusCode).toBe(204);
    const rotated = await send('POST', '/admin/clients/c-1/secret');
    expect(rotated.statusCode).toBe(200);
    expect(rotated.json()).toEqual({
      client_id: 'c-1',
      client_secret: 'n'.repeat(43),
      client_secret_expires_at: 0,
    });
    expect(rotated.headers['cache-control']).toBe('no-store');
  });

  it('renders token-service errors with their status (404, 409)', async () => {
    rpc.readClient.mockRejectedValue(
      new OAuthError('invalid_request', { status: 404, description: 'no such client' }),
    );
    const res = await send('GET', '/admin/clients/nobody');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'invalid_request', error_description: 'no such client' });
  });

  it('validates user bodies by field and never forwards unknown fields', async () => {
    const bad = await send('POST', '/admin/users', { username: 'bob', password: 'short' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error_description).toMatch(/^password: /);
    const hash = await send('POST', '/admin/users', {
      username: 'bob',
      password: 'long enough password',
      passwordHash: 'scrypt$...',
    });
    expect(hash.statusCode).toBe(400);
    expect(rpc.createUser).not.toHaveBeenCalled();
  });

  it('creates (201), reads, updates and deletes (204) users', async () => {
    const view = { sub: 'u-1', username: 'bob', claims: { name: 'Bob' } };
    rpc.createUser.mockResolvedValue(view);
    rpc.readUser.mockResolvedValue(view);
    rpc.updateUser.mockResolvedValue(view);
    rpc.deleteUser.mockResolvedValue({});
    const created = await send('POST', '/admin/users', {
      username: 'bob',
      password: 'long enough password',
    });
    expect(created.statusCode).toBe(201);
    expect(rpc.createUser.mock.calls[0][0]).toEqual({
      username: 'bob',
      password: 'long enough password',
      claims: {},
      ...byAdminToken,
    });
    expect((await send('GET', '/admin/users/u-1')).json()).toEqual(view);
    await send('PUT', '/admin/users/u-1', { claims: { name: 'Bobby' } });
    expect(rpc.updateUser.mock.calls[0][0]).toEqual({
      sub: 'u-1',
      changes: { claims: { name: 'Bobby' } },
      ...byAdminToken,
    });
    expect((await send('DELETE', '/admin/users/u-1')).statusCode).toBe(204);
  });

  it('revokes the tokens of a user, a client or a session: 200 with the count, 404 passed on', async () => {
    rpc.revokeUserTokens.mockResolvedValue({ revoked_grants: 2 });
    rpc.revokeClientTokens.mockRejectedValue(
      new OAuthError('invalid_request', { status: 404, description: 'no such client' }),
    );
    rpc.revokeSessionTokens.mockResolvedValue({ revoked_grants: 0 });
    const user = await send('POST', '/admin/users/u-1/revoke-tokens');
    expect([user.statusCode, user.json()]).toEqual([200, { revoked_grants: 2 }]);
    expect(user.headers['cache-control']).toBe('no-store');
    expect(rpc.revokeUserTokens.mock.calls).toEqual([[{ sub: 'u-1', ...byAdminToken }]]);
    expect((await send('POST', '/admin/clients/nobody/revoke-tokens')).statusCode).toBe(404);
    expect(rpc.revokeClientTokens.mock.calls).toEqual([[{ clientId: 'nobody', ...byAdminToken }]]);
    const session = await send('POST', '/admin/sessions/s-1/revoke-tokens');
    expect([session.statusCode, session.json()]).toEqual([200, { revoked_grants: 0 }]);
    expect(rpc.revokeSessionTokens.mock.calls).toEqual([[{ sid: 's-1', ...byAdminToken }]]);
    const anonymous = await app.inject({
      method: 'POST',
      url: '/admin/sessions/s-1/revoke-tokens',
    });
    expect(anonymous.statusCode).toBe(401);
    expect(rpc.revokeSessionTokens).toHaveBeenCalledTimes(1);
  });

  it('without ADMIN_TOKEN, any static token is refused (401) and only access tokens remain', async () => {
    const off = await createRegistrationApi(rpc, {}, tokens);
    try {
      const res = await off.inject({ method: 'GET', url: '/admin/users/u-1', headers: auth });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: 'invalid_token' });
      // It was looked up as an access token (and was not one).
      expect(tokens.introspect).toHaveBeenCalledWith({ token: ADMIN_TOKEN });
      expect(rpc.readUser).not.toHaveBeenCalled();
    } finally {
      await off.close();
    }
  });
});
