import { decodeJwt } from 'jose';
import { READ_MODEL_CACHE, type ReadModelCache } from '@idp/cache';
import { decodeRecord, encodeRecord } from '@idp/domain';
import { startAdminHarness, oauthErrorOf, type AdminHarness } from '../admin/admin.fixtures';
import { ClientRegistry } from '../clients/client-registry.service';
import { IntrospectionService } from '../introspection/introspection.service';
import { basic, CLIENT_SECRET, codeFlowTokens, webClient } from '../revocation/revocation.fixtures';
import { UserDirectory } from '../users/user-directory.service';
import { TokenEndpoint } from './token-endpoint.service';

/**
 * The refresh_token grant inside token-service (issue #13, defects 1, 2 and
 * 4), over a real SQLite event store and the in-memory read-model cache.
 */
describe('refresh_token grant', () => {
  let h: AdminHarness;
  let registry: ClientRegistry;
  let cache: ReadModelCache;

  const refresh = (clientId: string, refreshToken: string, scope?: string) =>
    h.app.get(TokenEndpoint).handle({
      params: {
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        ...(scope === undefined ? {} : { scope }),
      },
      clientAuth: basic(clientId),
      endpoint: 'http://localhost:3000/token',
    });
  const tokensIn = (clientId: string, scope: string) =>
    codeFlowTokens(h.app, clientId, undefined, basic(clientId), scope.split(' '));
  const register = (clientId: string, scope: string) =>
    registry.register(webClient(clientId, { scope }) as never, 'admin', CLIENT_SECRET);
  const narrowClient = (clientId: string, scope: string) =>
    registry.update(webClient(clientId, { scope }) as never, 'admin');

  beforeAll(async () => {
    h = await startAdminHarness();
    registry = h.app.get(ClientRegistry);
    cache = h.app.get<ReadModelCache>(READ_MODEL_CACHE);
    await h.app.get(UserDirectory).create({
      sub: 'u1',
      username: 'alice',
      password: 'correct horse battery',
      claims: {},
    });
  }, 30_000);
  afterAll(() => h.close());

  describe('an ID token only when the granted scope has openid (defect 2)', () => {
    it('a refresh narrowed to scopes without openid gets no ID token', async () => {
      await register('rp-idt', 'openid profile offline_access');
      const first = await tokensIn('rp-idt', 'openid profile offline_access');
      const narrowed = await refresh('rp-idt', first.refresh_token!, 'profile offline_access');
      expect(narrowed.scope).toBe('profile offline_access');
      expect(narrowed.id_token).toBeUndefined();
      // The refresh token still carries the grant's scope: asking for openid again works.
      const again = await refresh('rp-idt', narrowed.refresh_token!, 'openid profile');
      expect(again.scope).toBe('openid profile');
      expect(decodeJwt(again.id_token!)['aud']).toBe('rp-idt');
    });
  });

  describe("the client's registered scope bounds its refresh tokens (defect 1)", () => {
    it('an offline_access grant stops refreshing once the client may no longer use offline_access', async () => {
      await register('rp-offline', 'openid profile offline_access');
      const first = await tokensIn('rp-offline', 'openid profile offline_access');
      await narrowClient('rp-offline', 'openid profile');
      expect(await oauthErrorOf(refresh('rp-offline', first.refresh_token!))).toMatchObject({
        error: 'invalid_grant',
        status: 400,
        description:
          'refresh token is no longer valid: the client may no longer use offline_access',
      });
    });

    it('a withdrawn scope is dropped from the access token and, for good, from the grant', async () => {
      await register('rp-narrow', 'openid profile email');
      const first = await tokensIn('rp-narrow', 'openid profile email');
      await narrowClient('rp-narrow', 'openid profile');
      const second = await refresh('rp-narrow', first.refresh_token!);
      expect(second.scope).toBe('openid profile');
      expect(
        await oauthErrorOf(refresh('rp-narrow', second.refresh_token!, 'email')),
      ).toMatchObject({ error: 'invalid_scope', status: 400 });
      // Registering the scope again does not give it back to a grant that lost it.
      await narrowClient('rp-narrow', 'openid profile email');
      const third = await refresh('rp-narrow', second.refresh_token!);
      expect(third.scope).toBe('openid profile');
    });

    it('a client whose registration still has every scope keeps them all', async () => {
      await register('rp-same', 'openid profile offline_access');
      const first = await tokensIn('rp-same', 'openid profile offline_access');
      const second = await refresh('rp-same', first.refresh_token!);
      expect(second.scope).toBe('openid profile offline_access');
    });
  });

  it('the replaced refresh token is inactive in the read model when /token answers (defect 4)', async () => {
    await register('rp-rotate', 'openid offline_access');
    const first = await tokensIn('rp-rotate', 'openid offline_access');
    // As introspection-service has it: the active record, cached by a read-through.
    const { key, record } = await h.app.get(IntrospectionService).introspect(first.refresh_token!);
    expect(record['active']).toBe(true);
    await cache.set(key!, encodeRecord(record as never));

    const second = await refresh('rp-rotate', first.refresh_token!);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    // No wait for the projection: the rotation wrote the tombstone before answering.
    expect(decodeRecord(await cache.get(key!))).toEqual({ active: false, reason: 'revoked' });
  });

  it('refuses another client and an unknown token alike', async () => {
    await register('rp-owner', 'openid');
    await register('rp-thief', 'openid');
    const first = await tokensIn('rp-owner', 'openid');
    const attempts = [
      () => refresh('rp-thief', first.refresh_token!),
      () => refresh('rp-owner', 'x'),
    ];
    for (const attempt of attempts) {
      expect(await oauthErrorOf(attempt())).toMatchObject({
        error: 'invalid_grant',
        description: 'refresh token is invalid',
      });
    }
  });
});
