import { startAdminHarness, oauthErrorOf, type AdminHarness } from '../admin/admin.fixtures';
import { LogoutTokens } from '../backchannel/logout-tokens.service';
import { ClientRegistry } from '../clients/client-registry.service';
import { TokenEndpoint } from '../grants/token-endpoint.service';
import { UserDirectory } from '../users/user-directory.service';
import { UserinfoService } from '../userinfo/userinfo.service';
import { basic, CLIENT_SECRET, codeFlowTokens, webClient } from './revocation.fixtures';
import { RevocationService } from './revocation.service';

/**
 * Tokens that are ours but not for the endpoint they are presented at
 * (issue #13, defects 5 and 6): RFC 7009 2.2.1's unsupported_token_type for
 * an ID token or a logout token at /revoke, and RFC 6750 3.1's
 * insufficient_scope for a valid access token without an end-user at
 * /userinfo. Over a real SQLite event store.
 */
describe('token kinds at /revoke and /userinfo', () => {
  let h: AdminHarness;
  const revoke = (token: string, clientId = 'web', tokenTypeHint?: string) =>
    h.app.get(RevocationService).revoke({
      token,
      clientAuth: basic(clientId),
      endpoint: 'http://localhost:3000/revoke',
      ...(tokenTypeHint ? { tokenTypeHint } : {}),
    });
  const userinfo = (token: string) => h.app.get(UserinfoService).userinfo(token);

  beforeAll(async () => {
    h = await startAdminHarness();
    await h.app.get(UserDirectory).create({
      sub: 'u1',
      username: 'alice',
      password: 'correct horse battery',
      claims: {},
    });
    const registry = h.app.get(ClientRegistry);
    await registry.register(webClient('web') as never, 'admin', CLIENT_SECRET);
    await registry.register(
      {
        client_id: 'svc',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope: 'api',
        token_endpoint_auth_method: 'client_secret_basic',
      } as never,
      'admin',
      CLIENT_SECRET,
    );
  }, 30_000);
  afterAll(() => h.close());

  describe('/revoke', () => {
    it.each([undefined, 'access_token', 'refresh_token'])(
      'answers unsupported_token_type for our ID token (hint %s), and leaves its grant alone',
      async (hint) => {
        const tokens = await codeFlowTokens(h.app, 'web');
        expect(await oauthErrorOf(revoke(tokens.id_token!, 'web', hint))).toMatchObject({
          error: 'unsupported_token_type',
          status: 400,
          description: 'an ID token cannot be revoked: revoke the access or refresh token',
        });
        await expect(userinfo(tokens.access_token)).resolves.toMatchObject({ format: 'json' });
      },
    );

    it('answers unsupported_token_type for our logout token', async () => {
      const [logoutToken] = await h.app
        .get(LogoutTokens)
        .sign([{ aud: 'web', sub: 'u1', sid: 'sid-1', jti: 'lt-1' }]);
      expect(await oauthErrorOf(revoke(logoutToken!))).toMatchObject({
        error: 'unsupported_token_type',
        description: 'a logout token cannot be revoked: revoke the access or refresh token',
      });
    });

    it('still succeeds, revoking nothing, for an unknown or foreign token (RFC 7009 2.2)', async () => {
      const foreignIdToken =
        'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL290aGVyLmV4YW1wbGUiLCJpYXQiOjF9.c2ln';
      await expect(revoke(foreignIdToken)).resolves.toEqual({});
      await expect(revoke('not-a-token')).resolves.toEqual({});
    });
  });

  describe('/userinfo', () => {
    it('answers insufficient_scope (403) for a valid client_credentials access token', async () => {
      const cc = await h.app.get(TokenEndpoint).handle({
        params: { grant_type: 'client_credentials' },
        clientAuth: basic('svc'),
        endpoint: 'http://localhost:3000/token',
      });
      const error = await oauthErrorOf(userinfo(cc.access_token));
      expect(error).toMatchObject({
        error: 'insufficient_scope',
        status: 403,
        description: 'userinfo needs a token issued to an end-user',
      });
      expect((error['headers'] as Record<string, string>)['WWW-Authenticate']).toContain(
        'error="insufficient_scope"',
      );
    });

    it('still answers invalid_token for an ID token', async () => {
      const tokens = await codeFlowTokens(h.app, 'web');
      expect(await oauthErrorOf(userinfo(tokens.id_token!))).toMatchObject({
        error: 'invalid_token',
        status: 401,
      });
    });
  });
});
