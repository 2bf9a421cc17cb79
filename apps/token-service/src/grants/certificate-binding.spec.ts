import { decodeJwt } from 'jose';
import type { ClientAuthentication } from '@idp/contracts';
import { startAdminHarness, oauthErrorOf, type AdminHarness } from '../admin/admin.fixtures';
import { ClientRegistry } from '../clients/client-registry.service';
import { IntrospectionService } from '../introspection/introspection.service';
import {
  CLIENT_SECRET,
  codeFlowTokens,
  REDIRECT_URI,
  webClient,
} from '../revocation/revocation.fixtures';
import { UserDirectory } from '../users/user-directory.service';
import { UserinfoService } from '../userinfo/userinfo.service';
import { AuthorizeService } from './authorize.service';
import { TokenEndpoint } from './token-endpoint.service';

/** Two certificate thumbprints, as auth-api passes them (RFC 8705 3.1). */
const X5T = 'C'.repeat(43);
const OTHER_X5T = 'D'.repeat(43);
const JKT = 'K'.repeat(43);

const basic = (clientId: string): ClientAuthentication => ({
  method: 'client_secret_basic',
  clientId,
  secret: CLIENT_SECRET,
});

/** Certificate-bound access tokens inside token-service (RFC 8705 3; ADR 0027). */
describe('certificate-bound tokens', () => {
  let h: AdminHarness;
  const clientCredentials = (clientId: string, cnf?: Record<string, string>) =>
    h.app.get(TokenEndpoint).handle({
      params: { grant_type: 'client_credentials' },
      clientAuth: basic(clientId),
      endpoint: 'http://localhost:3000/token',
      ...(cnf === undefined ? {} : { cnf }),
    });

  beforeAll(async () => {
    h = await startAdminHarness({ ISSUER: 'http://localhost:3000' });
    const registry = h.app.get(ClientRegistry);
    const service = (client_id: string, over: Record<string, unknown>) =>
      registry.register(
        {
          client_id,
          grant_types: ['client_credentials'],
          response_types: [],
          scope: 'read',
          ...over,
        } as never,
        'admin',
        CLIENT_SECRET,
      );
    await service('svc-mtls', {
      access_token_format: 'jwt',
      tls_client_certificate_bound_access_tokens: true,
    });
    await service('svc-plain', {});
    await registry.register(
      webClient('web-mtls', {
        scope: 'openid offline_access',
        tls_client_certificate_bound_access_tokens: true,
      }) as never,
      'admin',
      CLIENT_SECRET,
    );
    await h.app.get(UserDirectory).create({
      sub: 'u1',
      username: 'alice',
      password: 'correct horse battery',
      claims: {},
    });
  }, 30_000);
  afterAll(() => h.close());

  it('binds the access token to the certificate: cnf x5t#S256 in the JWT and introspection, type Bearer', async () => {
    const res = await clientCredentials('svc-mtls', { 'x5t#S256': X5T });
    expect(res.token_type).toBe('Bearer');
    expect(decodeJwt(res.access_token).cnf).toEqual({ 'x5t#S256': X5T });
    const { record } = await h.app.get(IntrospectionService).introspect(res.access_token);
    expect(record).toMatchObject({ active: true, cnf: { 'x5t#S256': X5T } });
  });

  it('binds to both the certificate and a DPoP key when both are presented', async () => {
    const res = await clientCredentials('svc-mtls', { 'x5t#S256': X5T, jkt: JKT });
    expect(res.token_type).toBe('DPoP');
    expect(decodeJwt(res.access_token).cnf).toEqual({ 'x5t#S256': X5T, jkt: JKT });
  });

  it('refuses a token request without a certificate for a client that registered the binding', async () => {
    expect(await oauthErrorOf(clientCredentials('svc-mtls'))).toMatchObject({
      error: 'invalid_request',
      status: 400,
    });
  });

  it('does not bind tokens of other clients to a certificate', async () => {
    const res = await clientCredentials('svc-plain', { 'x5t#S256': X5T });
    const { record } = await h.app.get(IntrospectionService).introspect(res.access_token);
    expect(record).not.toHaveProperty('cnf');
  });

  it('a client that registered the binding gets no token from a code without a certificate', async () => {
    expect(
      await oauthErrorOf(codeFlowTokens(h.app, 'web-mtls', undefined, basic('web-mtls'))),
    ).toMatchObject({ error: 'invalid_request' });
  });

  it('/userinfo answers a certificate-bound token only with the same certificate', async () => {
    const { code } = await h.app.get(AuthorizeService).authorize({
      clientId: 'web-mtls',
      sub: 'u1',
      sid: 'sid-1',
      authTime: Math.floor(Date.now() / 1000),
      amr: ['pwd'],
      scope: ['openid'],
      redirectUri: REDIRECT_URI,
      redirectUriSupplied: true,
      responseType: 'code',
    });
    const tokens = await h.app.get(TokenEndpoint).handle({
      params: { grant_type: 'authorization_code', code: code!, redirect_uri: REDIRECT_URI },
      clientAuth: basic('web-mtls'),
      endpoint: 'http://localhost:3000/token',
      cnf: { 'x5t#S256': X5T },
    });
    const userinfo = (cnf?: Record<string, string>) =>
      h.app
        .get(UserinfoService)
        .userinfo(tokens.access_token, { scheme: 'Bearer', ...(cnf === undefined ? {} : { cnf }) });
    expect(await userinfo({ 'x5t#S256': X5T })).toMatchObject({ format: 'json' });
    for (const cnf of [undefined, { 'x5t#S256': OTHER_X5T }]) {
      const err = await oauthErrorOf(userinfo(cnf));
      expect(err).toMatchObject({
        error: 'invalid_token',
        status: 401,
        description:
          'the access token is bound to a client certificate this request did not present',
      });
      expect((err.headers as Record<string, string>)['WWW-Authenticate']).toMatch(
        /^Bearer realm="idp", error="invalid_token"/,
      );
    }
  });
});
