import { createHash, generateKeyPairSync } from 'node:crypto';
import { decodeJwt, type JWK } from 'jose';
import type { ClientAuthentication } from '@idp/contracts';
import { decryptAccessToken } from '@idp/crypto';
import { startAdminHarness, oauthErrorOf, type AdminHarness } from '../admin/admin.fixtures';
import { ClientRegistry } from '../clients/client-registry.service';
import { IntrospectionService } from '../introspection/introspection.service';
import { ResourceRegistry } from '../resources/resource-registry.service';
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

const ENDPOINT = 'http://localhost:3000/token';
const API = 'https://api.example.test';
/** Two DPoP key thumbprints (any 43-character base64url value is one to token-service). */
const JKT = 'A'.repeat(43);
const OTHER_JKT = 'B'.repeat(43);

const basic = (clientId: string): ClientAuthentication => ({
  method: 'client_secret_basic',
  clientId,
  secret: CLIENT_SECRET,
});
const publicAuth = (clientId: string): ClientAuthentication => ({ method: 'none', clientId });

/**
 * DPoP binding inside token-service (RFC 9449 5, 6, 7; ADR 0027): the edge
 * has checked the proof and passes its key thumbprint as cnf.jkt.
 */
describe('DPoP-bound tokens', () => {
  let h: AdminHarness;
  let rsKey: JWK;

  const token = (params: Record<string, string>, clientAuth: ClientAuthentication, jkt?: string) =>
    h.app.get(TokenEndpoint).handle({
      params,
      clientAuth,
      endpoint: ENDPOINT,
      ...(jkt === undefined ? {} : { cnf: { jkt } }),
    });
  const clientCredentials = (clientId: string, jkt?: string) =>
    token({ grant_type: 'client_credentials' }, basic(clientId), jkt);
  const refresh = (refreshToken: string, auth: ClientAuthentication, jkt?: string) =>
    token({ grant_type: 'refresh_token', refresh_token: refreshToken }, auth, jkt);
  const introspect = async (t: string) =>
    (await h.app.get(IntrospectionService).introspect(t)).record;

  beforeAll(async () => {
    h = await startAdminHarness({ ISSUER: 'http://localhost:3000' });
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const common = { kid: 'rs-1', alg: 'RSA-OAEP-256', use: 'enc' };
    rsKey = { ...(pair.privateKey.export({ format: 'jwk' }) as JWK), ...common };
    await h.app.get(ResourceRegistry).define(
      {
        resource: API,
        jwks: { keys: [{ ...(pair.publicKey.export({ format: 'jwk' }) as JWK), ...common }] },
      },
      'seed',
    );
    const registry = h.app.get(ClientRegistry);
    const service = (client_id: string, over: Record<string, unknown> = {}) =>
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
    await service('svc-opaque');
    await service('svc-jwt', { access_token_format: 'jwt' });
    await service('svc-jwe', { access_token_format: 'jwe', resources: [API] });
    await service('svc-dpop-only', { dpop_bound_access_tokens: true });
    await registry.register(
      webClient('web', { scope: 'openid offline_access', access_token_format: 'jwt' }) as never,
      'admin',
      CLIENT_SECRET,
    );
    await registry.register(
      {
        ...webClient('spa', { scope: 'openid offline_access' }),
        token_endpoint_auth_method: 'none',
      } as never,
      'admin',
    );
    await h.app.get(UserDirectory).create({
      sub: 'u1',
      username: 'alice',
      password: 'correct horse battery',
      claims: {},
    });
  }, 30_000);
  afterAll(() => h.close());

  describe('the access token carries cnf.jkt in every format', () => {
    it('opaque: token_type DPoP, and introspection (the grant event) knows the key', async () => {
      const res = await clientCredentials('svc-opaque', JKT);
      expect(res.token_type).toBe('DPoP');
      expect(await introspect(res.access_token)).toMatchObject({ active: true, cnf: { jkt: JKT } });
    });

    it('JWT: a cnf claim (RFC 9449 6.1)', async () => {
      const res = await clientCredentials('svc-jwt', JKT);
      expect(res.token_type).toBe('DPoP');
      expect(decodeJwt(res.access_token).cnf).toEqual({ jkt: JKT });
      expect(await introspect(res.access_token)).toMatchObject({ cnf: { jkt: JKT } });
    });

    it('JWE: the resource server finds cnf in the decrypted token', async () => {
      const res = await clientCredentials('svc-jwe', JKT);
      expect(res.token_type).toBe('DPoP');
      expect(decodeJwt(await decryptAccessToken(res.access_token, rsKey)).cnf).toEqual({
        jkt: JKT,
      });
    });

    it('without a proof: a Bearer token without cnf', async () => {
      for (const id of ['svc-opaque', 'svc-jwt']) {
        const res = await clientCredentials(id);
        expect(res.token_type).toBe('Bearer');
        expect(await introspect(res.access_token)).not.toHaveProperty('cnf');
      }
      expect(decodeJwt((await clientCredentials('svc-jwt')).access_token)).not.toHaveProperty(
        'cnf',
      );
    });
  });

  describe('dpop_bound_access_tokens (RFC 9449 5.2)', () => {
    it('refuses a token request without a proof, and binds one with it', async () => {
      expect(await oauthErrorOf(clientCredentials('svc-dpop-only'))).toMatchObject({
        error: 'invalid_dpop_proof',
        status: 400,
      });
      expect((await clientCredentials('svc-dpop-only', JKT)).token_type).toBe('DPoP');
    });
  });

  describe('refresh tokens (RFC 9449 5)', () => {
    const spaTokens = async (jkt?: string) => {
      const verifier = 'v'.repeat(43);
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      const { code } = await h.app.get(AuthorizeService).authorize({
        clientId: 'spa',
        sub: 'u1',
        sid: 'sid-1',
        authTime: Math.floor(Date.now() / 1000),
        amr: ['pwd'],
        scope: ['openid', 'offline_access'],
        redirectUri: REDIRECT_URI,
        redirectUriSupplied: true,
        responseType: 'code',
        codeChallenge: challenge,
        codeChallengeMethod: 'S256',
      });
      return token(
        {
          grant_type: 'authorization_code',
          code: code!,
          redirect_uri: REDIRECT_URI,
          code_verifier: verifier,
        },
        publicAuth('spa'),
        jkt,
      );
    };

    it("a public client's refresh token is bound to its key: none or another key is invalid_grant", async () => {
      const first = await spaTokens(JKT);
      expect(first.token_type).toBe('DPoP');
      expect(await introspect(first.refresh_token!)).toMatchObject({ cnf: { jkt: JKT } });
      for (const jkt of [undefined, OTHER_JKT]) {
        expect(
          await oauthErrorOf(refresh(first.refresh_token!, publicAuth('spa'), jkt)),
        ).toMatchObject({
          error: 'invalid_grant',
          description: 'refresh token is bound to a DPoP key this request did not prove',
        });
      }
      const second = await refresh(first.refresh_token!, publicAuth('spa'), JKT);
      expect(second.token_type).toBe('DPoP');
      // Rotation keeps the binding.
      expect(await introspect(second.refresh_token!)).toMatchObject({ cnf: { jkt: JKT } });
      expect(
        await oauthErrorOf(refresh(second.refresh_token!, publicAuth('spa'), OTHER_JKT)),
      ).toMatchObject({
        error: 'invalid_grant',
      });
      expect((await refresh(second.refresh_token!, publicAuth('spa'), JKT)).token_type).toBe(
        'DPoP',
      );
    });

    it("a public client's refresh token issued without a proof stays unbound", async () => {
      const first = await spaTokens();
      expect(first.token_type).toBe('Bearer');
      expect((await refresh(first.refresh_token!, publicAuth('spa'))).token_type).toBe('Bearer');
    });

    it("a confidential client's refresh token is not bound; each access token is bound to its request's key", async () => {
      const first = await codeFlowTokens(h.app, 'web', undefined, basic('web'), [
        'openid',
        'offline_access',
      ]);
      expect(first.token_type).toBe('Bearer');
      const bound = await refresh(first.refresh_token!, basic('web'), OTHER_JKT);
      expect(bound.token_type).toBe('DPoP');
      expect(decodeJwt(bound.access_token).cnf).toEqual({ jkt: OTHER_JKT });
      expect(await introspect(bound.refresh_token!)).not.toHaveProperty('cnf');
      const unbound = await refresh(bound.refresh_token!, basic('web'));
      expect(unbound.token_type).toBe('Bearer');
      expect(decodeJwt(unbound.access_token)).not.toHaveProperty('cnf');
    });
  });

  describe('/userinfo with a bound token (RFC 9449 7)', () => {
    const userinfo = (t: string, scheme: 'Bearer' | 'DPoP', jkt?: string) =>
      h.app
        .get(UserinfoService)
        .userinfo(t, { scheme, ...(jkt === undefined ? {} : { cnf: { jkt } }) });

    it('answers the DPoP scheme with a proof by the bound key', async () => {
      const { access_token } = await codeFlowTokens(h.app, 'web');
      const bound = await refresh(
        (await codeFlowTokens(h.app, 'web', undefined, basic('web'), ['openid', 'offline_access']))
          .refresh_token!,
        basic('web'),
        JKT,
      );
      expect(await userinfo(bound.access_token, 'DPoP', JKT)).toMatchObject({ format: 'json' });
      // A Bearer token keeps working as before.
      expect(await userinfo(access_token, 'Bearer')).toMatchObject({ format: 'json' });
    });

    it('refuses a bound token as Bearer, with another key, or without a key, with a DPoP challenge', async () => {
      const first = await codeFlowTokens(h.app, 'web', undefined, basic('web'), [
        'openid',
        'offline_access',
      ]);
      const bound = await refresh(first.refresh_token!, basic('web'), JKT);
      for (const [scheme, jkt] of [
        ['Bearer', undefined],
        ['DPoP', OTHER_JKT],
        ['DPoP', undefined],
      ] as const) {
        const err = await oauthErrorOf(userinfo(bound.access_token, scheme, jkt));
        expect(err).toMatchObject({ error: 'invalid_token', status: 401 });
        expect((err.headers as Record<string, string>)['WWW-Authenticate']).toMatch(
          /^DPoP error="invalid_token", error_description="[^"]+", algs="ES256 EdDSA RS256 PS256"$/,
        );
      }
    });

    it('refuses an unbound token presented with the DPoP scheme', async () => {
      const { access_token } = await codeFlowTokens(h.app, 'web');
      expect(await oauthErrorOf(userinfo(access_token, 'DPoP', JKT))).toMatchObject({
        error: 'invalid_token',
        description: 'the access token is not bound to a DPoP key',
      });
    });
  });
});
