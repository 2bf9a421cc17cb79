import { decodeProtectedHeader, decodeJwt, createLocalJWKSet, jwtVerify, type JWK } from 'jose';
import { READ_MODEL_CACHE, type ReadModelCache } from '@idp/cache';
import type { ClientAuthentication } from '@idp/contracts';
import { decodeRecord, REVOKED } from '@idp/domain';
import { startAdminHarness, oauthErrorOf, type AdminHarness } from '../admin/admin.fixtures';
import { ClientAuthenticator } from '../clients/client-authenticator';
import { ClientRegistry } from '../clients/client-registry.service';
import { IntrospectionService } from '../introspection/introspection.service';
import { KeyRingService } from '../keys/key-ring.service';
import { ClientAdmin } from '../admin/client-admin.service';
import { UserDirectory } from '../users/user-directory.service';
import { UserinfoService } from '../userinfo/userinfo.service';
import {
  basic,
  CLIENT_SECRET,
  codeFlowTokens,
  refreshTokens,
  webClient,
} from './revocation.fixtures';
import { RevocationService } from './revocation.service';

const ENDPOINT = 'http://localhost:3000/revoke';

/**
 * RFC 7009 and the introspection read-through inside token-service, over a
 * real SQLite event store and the in-memory read-model cache.
 */
describe('RevocationService and IntrospectionService', () => {
  let h: AdminHarness;
  let revocation: RevocationService;
  let introspection: IntrospectionService;
  let userinfo: UserinfoService;
  let cache: ReadModelCache;

  const tokensFor = (clientId: string, auth: ClientAuthentication = basic(clientId)) =>
    codeFlowTokens(h.app, clientId, undefined, auth);
  const refresh = (clientId: string, refreshToken: string) =>
    refreshTokens(h.app, clientId, refreshToken);
  const revoke = (token: string, auth: ClientAuthentication, tokenTypeHint?: string) =>
    revocation.revoke({
      token,
      clientAuth: auth,
      endpoint: ENDPOINT,
      ...(tokenTypeHint ? { tokenTypeHint } : {}),
    });
  const cached = async (token: string) => {
    const { key } = await introspection.introspect(token);
    return key === null ? undefined : decodeRecord(await cache.get(key));
  };

  beforeAll(async () => {
    h = await startAdminHarness();
    revocation = h.app.get(RevocationService);
    introspection = h.app.get(IntrospectionService);
    userinfo = h.app.get(UserinfoService);
    cache = h.app.get<ReadModelCache>(READ_MODEL_CACHE);
    await h.app.get(UserDirectory).create({
      sub: 'u1',
      username: 'alice',
      password: 'correct horse battery',
      claims: {},
    });
    const registry = h.app.get(ClientRegistry);
    const web = (client_id: string, over: Record<string, unknown> = {}) =>
      registry.register(webClient(client_id, over) as never, 'admin', CLIENT_SECRET);
    await web('web');
    await web('other');
    await web('jwt-client', { access_token_format: 'jwt' });
    await web('pub', { token_endpoint_auth_method: 'none' });
    await web('gone');
  }, 30_000);
  afterAll(() => h.close());

  describe('authenticateClient', () => {
    it('authenticates a confidential client with the /token rules', async () => {
      await expect(
        introspection.authenticateClient({ clientAuth: basic('web'), endpoint: ENDPOINT }),
      ).resolves.toEqual({ clientId: 'web' });
    });

    it('refuses a wrong secret and a public client with invalid_client', async () => {
      for (const clientAuth of [
        basic('web', 'wrong'),
        { method: 'none', clientId: 'pub' } as const,
        { method: 'none', clientId: 'web' } as const,
      ]) {
        expect(
          await oauthErrorOf(introspection.authenticateClient({ clientAuth, endpoint: ENDPOINT })),
        ).toMatchObject({ error: 'invalid_client', status: 401 });
      }
    });

    it('passes the endpoint on as the audience of private_key_jwt assertions', async () => {
      // Delegates to ClientAuthenticator with the endpoint as the audience.
      const spy = jest.spyOn(h.app.get(ClientAuthenticator), 'authenticate');
      await introspection.authenticateClient({ clientAuth: basic('web'), endpoint: ENDPOINT });
      expect(spy).toHaveBeenCalledWith(basic('web'), ENDPOINT, expect.any(String));
      spy.mockRestore();
    });
  });

  describe('introspect', () => {
    it('answers active records for a fresh access and refresh token, keyed as ADR 0008 says', async () => {
      const t = await tokensFor('web');
      const at = await introspection.introspect(t.access_token);
      expect(at.key).toMatch(/^introspection:at:/);
      expect(at.record).toMatchObject({
        active: true,
        token_type: 'access_token',
        client_id: 'web',
        sub: 'u1',
        scope: 'openid',
      });
      const rt = await introspection.introspect(t.refresh_token!);
      expect(rt.key).toMatch(/^introspection:rt:/);
      expect(rt.record).toMatchObject({ active: true, token_type: 'refresh_token' });
    });

    it('keys a JWT access token by jti and never accepts an ID token as one', async () => {
      const t = await tokensFor('jwt-client');
      const at = await introspection.introspect(t.access_token);
      expect(at.key).toBe(`introspection:jti:${String(decodeJwt(t.access_token).jti)}`);
      expect(at.record).toMatchObject({ active: true, client_id: 'jwt-client' });
      expect(await introspection.introspect(t.id_token!)).toEqual({
        key: null,
        record: { active: false, reason: 'unknown' },
      });
    });

    it('answers unknown with no key for garbage, forged MACs and foreign tokens', async () => {
      const t = await tokensFor('web');
      const forged = `${t.access_token.slice(0, -2)}${t.access_token.endsWith('AA') ? 'BB' : 'AA'}`;
      for (const token of ['', 'garbage', 'at_abc', forged, 'a.b.c', 'a.b.c.d.e']) {
        expect(await introspection.introspect(token)).toEqual({
          key: null,
          record: { active: false, reason: 'unknown' },
        });
      }
    });

    it("is inactive once the token's client has been deleted", async () => {
      const t = await tokensFor('gone');
      expect((await introspection.introspect(t.access_token)).record.active).toBe(true);
      await h.app.get(ClientAdmin).delete('gone');
      const after = await introspection.introspect(t.access_token);
      expect(after.key).not.toBeNull();
      expect(after.record.active).toBe(false);
    });
  });

  describe('revoke', () => {
    it('revokes an access token alone, writes its tombstone, and leaves the refresh token usable', async () => {
      const t = await tokensFor('web');
      await expect(revoke(t.access_token, basic('web'))).resolves.toEqual({});
      expect(await cached(t.access_token)).toEqual(REVOKED);
      expect((await introspection.introspect(t.access_token)).record).toEqual(REVOKED);
      expect(await oauthErrorOf(userinfo.userinfo(t.access_token))).toMatchObject({
        error: 'invalid_token',
      });
      const next = await refresh('web', t.refresh_token!);
      expect((await introspection.introspect(next.access_token)).record.active).toBe(true);
    });

    it('revokes a JWT access token by jti', async () => {
      const t = await tokensFor('jwt-client');
      await revoke(t.access_token, basic('jwt-client'), 'access_token');
      expect(await cached(t.access_token)).toEqual(REVOKED);
      expect(await oauthErrorOf(userinfo.userinfo(t.access_token))).toMatchObject({
        error: 'invalid_token',
      });
    });

    it("revokes a refresh token's whole grant, with tombstones for every token, whatever the hint says", async () => {
      const t = await tokensFor('web');
      await revoke(t.refresh_token!, basic('web'), 'access_token');
      expect(await cached(t.refresh_token!)).toEqual(REVOKED);
      expect(await cached(t.access_token)).toEqual(REVOKED);
      expect(await oauthErrorOf(refresh('web', t.refresh_token!))).toMatchObject({
        error: 'invalid_grant',
      });
    });

    it('rewrites the tombstones on a retry that finds the revocation already committed', async () => {
      const t = await tokensFor('web');
      await revoke(t.refresh_token!, basic('web'));
      const { key } = await introspection.introspect(t.access_token);
      await cache.delete(key!);
      await revoke(t.refresh_token!, basic('web'));
      expect(decodeRecord(await cache.get(key!))).toEqual(REVOKED);
    });

    it("refuses another client's token with unauthorized_client and leaves it active", async () => {
      const t = await tokensFor('web');
      for (const token of [t.access_token, t.refresh_token!]) {
        expect(await oauthErrorOf(revoke(token, basic('other')))).toMatchObject({
          error: 'unauthorized_client',
          status: 400,
        });
        expect((await introspection.introspect(token)).record.active).toBe(true);
      }
    });

    it('succeeds for unknown, forged and garbage tokens (RFC 7009 2.2)', async () => {
      for (const token of ['garbage', 'rt_xyz', 'at_xyz', 'a.b.c']) {
        await expect(revoke(token, basic('web'), 'refresh_token')).resolves.toEqual({});
      }
    });

    it('authenticates first: a wrong secret is invalid_client even for a garbage token', async () => {
      expect(await oauthErrorOf(revoke('garbage', basic('web', 'wrong')))).toMatchObject({
        error: 'invalid_client',
        status: 401,
      });
    });

    it('lets a public client revoke its own tokens with client_id alone, but not a confidential one', async () => {
      const t = await tokensFor('pub', { method: 'none', clientId: 'pub' });
      await revoke(t.access_token, { method: 'none', clientId: 'pub' });
      expect(await cached(t.access_token)).toEqual(REVOKED);
      const w = await tokensFor('web');
      expect(
        await oauthErrorOf(revoke(w.access_token, { method: 'none', clientId: 'web' })),
      ).toMatchObject({ error: 'invalid_client' });
    });

    it('answers 503 when the tombstones cannot be written, after the revocation committed', async () => {
      const t = await tokensFor('web');
      const spy = jest.spyOn(cache, 'setMany').mockRejectedValueOnce(new Error('ECONNREFUSED'));
      expect(await oauthErrorOf(revoke(t.access_token, basic('web')))).toMatchObject({
        error: 'temporarily_unavailable',
        status: 503,
      });
      spy.mockRestore();
      expect((await introspection.introspect(t.access_token)).record).toEqual(REVOKED);
      await revoke(t.access_token, basic('web'));
      expect(await cached(t.access_token)).toEqual(REVOKED);
    });

    it('writes the tombstones when refresh-token reuse revokes the grant', async () => {
      const t = await tokensFor('web');
      await refresh('web', t.refresh_token!);
      expect(await oauthErrorOf(refresh('web', t.refresh_token!))).toMatchObject({
        error: 'invalid_grant',
      });
      expect(await cached(t.access_token)).toEqual(REVOKED);
    });
  });

  describe('signIntrospectionResponse', () => {
    it('signs an RFC 9701 JWT with our RS256 key for the audience', async () => {
      const { jwt } = await introspection.signResponse({
        audience: 'rs-1',
        claims: { active: true, sub: 'u1' },
      });
      expect(decodeProtectedHeader(jwt)).toMatchObject({
        typ: 'token-introspection+jwt',
        alg: 'RS256',
      });
      const jwks = (await h.app.get(KeyRingService).publicJwks()).keys as unknown as JWK[];
      const { payload } = await jwtVerify(jwt, createLocalJWKSet({ keys: jwks }), {
        audience: 'rs-1',
        typ: 'token-introspection+jwt',
      });
      expect(payload).toMatchObject({
        iss: expect.any(String),
        token_introspection: { active: true, sub: 'u1' },
      });
      expect(typeof payload.iat).toBe('number');
    });
  });
});
