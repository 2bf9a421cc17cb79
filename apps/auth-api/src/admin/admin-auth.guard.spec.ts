import { createHash } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CLIENT_CERTIFICATE } from '@idp/testing';
import { createRegistrationApi, JSON_HEADERS } from '../registration/registration.fixtures';

/** What token-service's introspect RPC answers for an active access token of `clientId`. */
const active = (clientId: string, scope: string, tokenType = 'access_token') => ({
  key: 'introspection:at:x',
  record: {
    active: true,
    token_type: tokenType,
    grant_id: 'g-1',
    client_id: clientId,
    scope,
    iat: 1,
    exp: 2,
  },
});

/**
 * The admin API's access-token credential (ADR 0017): our access tokens of
 * clients granted idp:admin (read-write) or idp:admin.read (GET only), as
 * token-service's introspection resolves them. No ADMIN_TOKEN configured.
 */
describe('admin API: access tokens with an idp:admin scope', () => {
  let app: NestFastifyApplication;
  const rpc = { readUser: jest.fn(), deleteUser: jest.fn(), createUser: jest.fn() };
  const tokens = { introspect: jest.fn(), getClient: jest.fn() };
  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, token: string, body?: unknown) =>
    app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : JSON_HEADERS),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
  const registered = (scope: string) =>
    tokens.getClient.mockResolvedValue({ client: { client_id: 'ops', scope } });

  beforeAll(async () => {
    app = await createRegistrationApi(rpc, {}, tokens);
  });
  afterAll(() => app.close());
  beforeEach(() => {
    jest.resetAllMocks();
    rpc.readUser.mockResolvedValue({ sub: 'u-1', username: 'bob', claims: {} });
    rpc.deleteUser.mockResolvedValue({});
  });

  it('idp:admin reads and writes; the RPCs name the client as the actor', async () => {
    tokens.introspect.mockResolvedValue(active('ops', 'idp:admin'));
    registered('idp:admin');
    expect((await call('GET', '/admin/users/u-1', 'at_rw')).statusCode).toBe(200);
    expect((await call('DELETE', '/admin/users/u-1', 'at_rw')).statusCode).toBe(204);
    expect(rpc.deleteUser).toHaveBeenCalledWith({
      sub: 'u-1',
      actor: { kind: 'client', client_id: 'ops' },
    });
    expect(tokens.introspect).toHaveBeenCalledWith({ token: 'at_rw' });
  });

  it('idp:admin.read reads; a write is 403 insufficient_scope naming idp:admin, before any RPC', async () => {
    tokens.introspect.mockResolvedValue(active('auditor', 'openid idp:admin.read'));
    registered('idp:admin.read');
    expect((await call('GET', '/admin/users/u-1', 'at_ro')).statusCode).toBe(200);
    for (const [method, url] of [
      ['DELETE', '/admin/users/u-1'],
      ['POST', '/admin/users/u-1/revoke-tokens'],
    ] as const) {
      const res = await call(method, url, 'at_ro');
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ error: 'insufficient_scope' });
      expect(res.headers['www-authenticate']).toMatch(
        /^Bearer .*error="insufficient_scope".*scope="idp:admin"/,
      );
    }
    expect(rpc.deleteUser).not.toHaveBeenCalled();
  });

  it.each([
    [
      'an inactive (revoked, expired, unknown or ID) token',
      { key: null, record: { active: false, reason: 'revoked' } },
      'idp:admin',
    ],
    ['a refresh token', active('ops', 'idp:admin', 'refresh_token'), 'idp:admin'],
    ['a token without an admin scope', active('ops', 'openid profile'), 'idp:admin openid profile'],
    [
      'a token whose client is no longer registered for the scope',
      active('ops', 'idp:admin'),
      'openid',
    ],
  ])('%s: 401 invalid_token with a Bearer challenge', async (_, introspected, scope) => {
    tokens.introspect.mockResolvedValue(introspected);
    registered(scope);
    const res = await call('GET', '/admin/users/u-1', 'at_some');
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: 'invalid_token' });
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="idp", error="invalid_token"/);
    expect(rpc.readUser).not.toHaveBeenCalled();
  });

  it('a DPoP-bound token is no Bearer credential: 401 (the admin API takes no DPoP proofs)', async () => {
    tokens.introspect.mockResolvedValue({
      ...active('ops', 'idp:admin'),
      record: { ...active('ops', 'idp:admin').record, cnf: { jkt: 'thumbprint' } },
    });
    registered('idp:admin');
    const res = await call('GET', '/admin/users/u-1', 'at_bound');
    expect([res.statusCode, res.json().error]).toEqual([401, 'invalid_token']);
    expect(rpc.readUser).not.toHaveBeenCalled();
  });

  it('a certificate-bound token without its certificate: 401 (RFC 8705 3), before any RPC', async () => {
    tokens.introspect.mockResolvedValue({
      ...active('ops', 'idp:admin'),
      record: { ...active('ops', 'idp:admin').record, cnf: { 'x5t#S256': 'thumbprint' } },
    });
    registered('idp:admin');
    const res = await call('GET', '/admin/users/u-1', 'at_cert_bound');
    expect([res.statusCode, res.json().error]).toEqual([401, 'invalid_token']);
    expect(res.json().error_description).toMatch(/client certificate/);
    expect(rpc.readUser).not.toHaveBeenCalled();
  });

  it('a deleted client: 401', async () => {
    tokens.introspect.mockResolvedValue(active('gone', 'idp:admin'));
    tokens.getClient.mockResolvedValue({ client: null });
    expect((await call('GET', '/admin/users/u-1', 'at_gone')).statusCode).toBe(401);
  });

  it('no Bearer token, or an oversized one: 401 without asking token-service', async () => {
    const none = await app.inject({ method: 'GET', url: '/admin/users/u-1' });
    expect(none.statusCode).toBe(401);
    expect((await call('GET', '/admin/users/u-1', 'a'.repeat(16_385))).statusCode).toBe(401);
    expect(tokens.introspect).not.toHaveBeenCalled();
  });

  it('serves the OpenAPI document without credentials', async () => {
    const res = await app.inject({ method: 'GET', url: '/admin/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toMatchObject({ openapi: '3.1.0' });
  });
});

/** RFC 8705 3.1: SHA-256 of the DER, which is the PEM's base64 body. */
const X5T = createHash('sha256')
  .update(Buffer.from(CLIENT_CERTIFICATE.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64'))
  .digest('base64url');

describe('admin API: certificate-bound access tokens behind a trusted TLS proxy (RFC 8705)', () => {
  let app: NestFastifyApplication;
  const rpc = { readUser: jest.fn() };
  const tokens = { introspect: jest.fn(), getClient: jest.fn() };
  const read = (headers: Record<string, string>) =>
    app.inject({
      method: 'GET',
      url: '/admin/users/u-1',
      headers: { authorization: 'Bearer at_cert_bound', ...headers },
    });
  const boundTo = (x5t: string) =>
    tokens.introspect.mockResolvedValue({
      ...active('ops', 'idp:admin'),
      record: { ...active('ops', 'idp:admin').record, cnf: { 'x5t#S256': x5t } },
    });

  beforeAll(async () => {
    // app.inject's peer is 127.0.0.1: the trusted proxy here.
    app = await createRegistrationApi(
      rpc,
      { MTLS_CLIENT_CERT_HEADER: 'X-Client-Cert', MTLS_TRUSTED_PROXIES: '127.0.0.1' },
      tokens,
    );
  });
  afterAll(() => app.close());
  beforeEach(() => {
    jest.resetAllMocks();
    rpc.readUser.mockResolvedValue({ sub: 'u-1', username: 'bob', claims: {} });
    tokens.getClient.mockResolvedValue({ client: { client_id: 'ops', scope: 'idp:admin' } });
  });

  it('serves the token with the certificate it is bound to', async () => {
    boundTo(X5T);
    const res = await read({ 'x-client-cert': encodeURIComponent(CLIENT_CERTIFICATE) });
    expect(res.statusCode).toBe(200);
  });

  it('refuses it without a certificate, or with the certificate of another key', async () => {
    boundTo(X5T);
    expect((await read({})).statusCode).toBe(401);
    boundTo('A'.repeat(43));
    const other = await read({ 'x-client-cert': encodeURIComponent(CLIENT_CERTIFICATE) });
    expect([other.statusCode, other.json().error]).toEqual([401, 'invalid_token']);
    expect(rpc.readUser).not.toHaveBeenCalled();
  });
});
