import { generateKeyPairSync } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, type JWK } from 'jose';
import { decryptAccessToken } from '@idp/crypto';
import { startAdminHarness, oauthErrorOf, type AdminHarness } from '../admin/admin.fixtures';
import { ClientRegistry } from '../clients/client-registry.service';
import { IntrospectionService } from '../introspection/introspection.service';
import { ResourceRegistry } from '../resources/resource-registry.service';
import { basic, CLIENT_SECRET, REDIRECT_URI, webClient } from '../revocation/revocation.fixtures';
import { UserDirectory } from '../users/user-directory.service';
import { AuthorizeService } from './authorize.service';
import { TokenEndpoint } from './token-endpoint.service';

const JWT_API = 'https://jwt-api.example';
const JWE_API = 'https://jwe-api.example/v1';
const OPAQUE_API = 'https://opaque-api.example';
/** Registered for clients below, never as a resource server. */
const UNKNOWN_API = 'https://unknown-api.example';

function encryptionKey(kid: string) {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const meta = { kid, alg: 'RSA-OAEP-256', use: 'enc' };
  return {
    publicJwk: { ...(publicKey.export({ format: 'jwk' }) as JWK), ...meta },
    privateJwk: { ...(privateKey.export({ format: 'jwk' }) as JWK), ...meta },
  };
}

/**
 * RFC 8707 resource indicators inside token-service, for every grant, over
 * the real event store (ADR 0030): what /authorize records, what each token
 * request may pick, and the audience, format and recipient it gets.
 */
describe('resource indicators at /authorize and /token', () => {
  const jweKey = encryptionKey('jwe-api-1');
  const jwtKey = encryptionKey('jwt-api-1');
  let h: AdminHarness;

  const token = (clientId: string, params: Record<string, string>) =>
    h.app.get(TokenEndpoint).handle({
      params,
      clientAuth: basic(clientId),
      endpoint: 'http://localhost:3000/token',
    });
  const authorize = (clientId: string, resources?: string[]) =>
    h.app.get(AuthorizeService).authorize({
      clientId,
      sub: 'u1',
      sid: 'sid-1',
      authTime: Math.floor(Date.now() / 1000),
      amr: ['pwd'],
      scope: ['openid', 'offline_access'],
      redirectUri: REDIRECT_URI,
      redirectUriSupplied: true,
      responseType: 'code',
      ...(resources ? { resources } : {}),
    });
  const redeem = (clientId: string, code: string, resource?: string) =>
    token(clientId, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      ...(resource === undefined ? {} : { resource }),
    });
  const refresh = (clientId: string, refreshToken: string, resource?: string) =>
    token(clientId, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      ...(resource === undefined ? {} : { resource }),
    });
  const clientCredentials = (clientId: string, resource?: string) =>
    token(clientId, {
      grant_type: 'client_credentials',
      ...(resource === undefined ? {} : { resource }),
    });
  const audOf = async (accessToken: string): Promise<unknown> => {
    const { record } = await h.app.get(IntrospectionService).introspect(accessToken);
    return 'aud' in record ? record.aud : undefined;
  };
  const register = (clientId: string, over: Record<string, unknown>) =>
    h.app
      .get(ClientRegistry)
      .register(
        webClient(clientId, { scope: 'openid offline_access read', ...over }) as never,
        'admin',
        CLIENT_SECRET,
      );

  beforeAll(async () => {
    h = await startAdminHarness();
    await h.app.get(UserDirectory).create({
      sub: 'u1',
      username: 'alice',
      password: 'correct horse battery',
      claims: {},
    });
    const resources = h.app.get(ResourceRegistry);
    await resources.define(
      { resource: JWT_API, jwks: { keys: [jwtKey.publicJwk] }, accessTokenFormat: 'jwt' },
      'admin',
    );
    await resources.define(
      { resource: JWE_API, jwks: { keys: [jweKey.publicJwk] }, accessTokenFormat: 'jwe' },
      'admin',
    );
    await resources.define(
      { resource: OPAQUE_API, jwks: { keys: [jwtKey.publicJwk] }, accessTokenFormat: 'opaque' },
      'admin',
    );
    const all = [JWT_API, JWE_API, OPAQUE_API, UNKNOWN_API];
    await register('rp-res', { resources: all });
    await register('rp-plain', {});
    await register('svc-res', {
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      resources: all,
    });
  }, 30_000);
  afterAll(() => h.close());

  describe('authorization_code', () => {
    it('redeems a code for one of its resources: that audience, in that format', async () => {
      const { code } = await authorize('rp-res', [JWT_API, JWE_API]);
      const tokens = await redeem('rp-res', code!, JWT_API);
      expect(tokens.access_token.split('.')).toHaveLength(3);
      expect(decodeJwt(tokens.access_token)['aud']).toEqual([JWT_API]);
      expect(await audOf(tokens.access_token)).toEqual([JWT_API]);
    });

    it('without resource, a grant with resources keeps to them (one is the default)', async () => {
      const one = await authorize('rp-res', [JWE_API]);
      const jwe = (await redeem('rp-res', one.code!)).access_token;
      const inner = decodeJwt(await decryptAccessToken(jwe, jweKey.privateJwk));
      expect(inner['aud']).toEqual([JWE_API]);

      // Several: the first decides the format, and the audience is the grant's, not the client's.
      const two = await authorize('rp-res', [OPAQUE_API, JWT_API]);
      const opaque = (await redeem('rp-res', two.code!)).access_token;
      expect(opaque.startsWith('at_')).toBe(true);
      expect(await audOf(opaque)).toEqual([OPAQUE_API, JWT_API]);
    });

    it('without resource at /authorize, /token may name any of the client resources', async () => {
      const { code } = await authorize('rp-res');
      const tokens = await redeem('rp-res', code!, JWE_API);
      expect(decodeProtectedHeader(tokens.access_token)['kid']).toBe('jwe-api-1');
    });

    it('refuses a resource the authorization did not grant, and the code stays redeemable', async () => {
      const { code } = await authorize('rp-res', [JWT_API]);
      expect(await oauthErrorOf(redeem('rp-res', code!, JWE_API))).toMatchObject({
        error: 'invalid_target',
        status: 400,
        description: 'the requested resource was not part of the authorization grant',
      });
      // A malformed request, not a misuse: nothing was appended, the code is not spent.
      const tokens = await redeem('rp-res', code!, JWT_API);
      expect(await audOf(tokens.access_token)).toEqual([JWT_API]);
    });

    it('refuses two resources in one token request, and resources the client has not registered', async () => {
      const { code } = await authorize('rp-res', [JWT_API, JWE_API]);
      for (const resource of [`${JWT_API} ${JWE_API}`, 'https://elsewhere.example'])
        expect(await oauthErrorOf(redeem('rp-res', code!, resource))).toMatchObject({
          error: 'invalid_target',
          status: 400,
        });
    });

    it("another client's code is invalid_grant, never an answer about the grant's resources", async () => {
      const { code } = await authorize('rp-res', [JWT_API]);
      expect(await oauthErrorOf(redeem('rp-plain', code!))).toMatchObject({
        error: 'invalid_grant',
      });
    });
  });

  describe('/authorize', () => {
    it("a front-channel access token (hybrid flow) targets the request's resources", async () => {
      await register('rp-hybrid', {
        grant_types: ['authorization_code', 'implicit'],
        response_types: ['code token'],
        resources: [JWT_API, JWE_API],
      });
      const response = await h.app.get(AuthorizeService).authorize({
        clientId: 'rp-hybrid',
        sub: 'u1',
        sid: 'sid-1',
        authTime: Math.floor(Date.now() / 1000),
        amr: ['pwd'],
        scope: ['openid'],
        redirectUri: REDIRECT_URI,
        redirectUriSupplied: true,
        responseType: 'code token',
        nonce: 'n-1',
        resources: [JWT_API],
      });
      expect(decodeJwt(response.access_token!)['aud']).toEqual([JWT_API]);
    });

    it('refuses a resource that is not registered for the client, or not a resource server', async () => {
      for (const resources of [['https://elsewhere.example'], [JWT_API, UNKNOWN_API]])
        expect(await oauthErrorOf(authorize('rp-res', resources))).toMatchObject({
          error: 'invalid_target',
        });
      expect(await oauthErrorOf(authorize('rp-plain', [JWT_API]))).toMatchObject({
        error: 'invalid_target',
      });
    });
  });

  describe('refresh_token', () => {
    it('may narrow to one of the grant resources, never widen, and the grant keeps them all', async () => {
      const { code } = await authorize('rp-res', [JWT_API, JWE_API]);
      const first = await redeem('rp-res', code!, JWT_API);
      const narrowed = await refresh('rp-res', first.refresh_token!, JWE_API);
      const inner = decodeJwt(await decryptAccessToken(narrowed.access_token, jweKey.privateJwk));
      expect(inner['aud']).toEqual([JWE_API]);
      expect(await oauthErrorOf(refresh('rp-res', narrowed.refresh_token!, OPAQUE_API))).toEqual(
        expect.objectContaining({ error: 'invalid_target', status: 400 }),
      );
      // Two granted resources at once are still two tokens' worth: refused.
      expect(
        await oauthErrorOf(refresh('rp-res', narrowed.refresh_token!, `${JWT_API} ${JWE_API}`)),
      ).toMatchObject({
        error: 'invalid_target',
        description: 'only one resource may be requested per access token',
      });
      // The refused refresh appended nothing: the same refresh token still works, back to JWT.
      const back = await refresh('rp-res', narrowed.refresh_token!, JWT_API);
      expect(decodeJwt(back.access_token)['aud']).toEqual([JWT_API]);
      // Without resource: the grant's resources again, the first deciding the format.
      const all = await refresh('rp-res', back.refresh_token!);
      expect(decodeJwt(all.access_token)['aud']).toEqual([JWT_API, JWE_API]);
    });
  });

  describe('client_credentials', () => {
    it('picks one of the client resources; several, unknown or unregistered ones are invalid_target', async () => {
      const tokens = await clientCredentials('svc-res', JWT_API);
      expect(decodeJwt(tokens.access_token)['aud']).toEqual([JWT_API]);
      for (const resource of [
        `${JWT_API} ${JWE_API}`,
        'https://elsewhere.example',
        UNKNOWN_API,
        'relative/path',
        `${JWT_API}#fragment`,
        `https://api.example/${'a'.repeat(2000)}`,
      ])
        expect(await oauthErrorOf(clientCredentials('svc-res', resource))).toMatchObject({
          error: 'invalid_target',
          status: 400,
        });
    });

    it('without resource, the audience is every registered resource, as before', async () => {
      const tokens = await clientCredentials('svc-res');
      expect(await audOf(tokens.access_token)).toEqual([JWT_API, JWE_API, OPAQUE_API, UNKNOWN_API]);
    });
  });
});
