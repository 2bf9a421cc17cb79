import { createHash } from 'node:crypto';
import { READ_MODEL_CACHE, type ReadModelCache } from '@idp/cache';
import { decodeRecord, encodeRecord } from '@idp/domain';
import { startAdminHarness, oauthErrorOf, type AdminHarness } from '../admin/admin.fixtures';
import { ClientRegistry } from '../clients/client-registry.service';
import { IntrospectionService } from '../introspection/introspection.service';
import { basic, CLIENT_SECRET, REDIRECT_URI, webClient } from '../revocation/revocation.fixtures';
import { UserDirectory } from '../users/user-directory.service';
import { AuthorizeService } from './authorize.service';
import { TokenEndpoint } from './token-endpoint.service';

const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');

/**
 * The authorization_code grant inside token-service (issue #13, defect 3):
 * a code is good for one redemption attempt. Over a real SQLite event store
 * and the in-memory read-model cache.
 */
describe('authorization_code grant: a failed redemption spends the code', () => {
  let h: AdminHarness;
  let cache: ReadModelCache;

  const authorize = (responseType = 'code') =>
    h.app.get(AuthorizeService).authorize({
      clientId: 'rp',
      sub: 'u1',
      sid: 'sid-1',
      authTime: Math.floor(Date.now() / 1000),
      amr: ['pwd'],
      scope: ['openid'],
      redirectUri: REDIRECT_URI,
      redirectUriSupplied: true,
      responseType,
      nonce: 'n-1',
      codeChallenge: CHALLENGE,
      codeChallengeMethod: 'S256',
    });
  const redeem = (code: string, params: Record<string, string> = {}, clientId = 'rp') =>
    h.app.get(TokenEndpoint).handle({
      params: {
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT_URI,
        code_verifier: VERIFIER,
        ...params,
      },
      clientAuth: basic(clientId),
      endpoint: 'http://localhost:3000/token',
    });

  beforeAll(async () => {
    h = await startAdminHarness();
    cache = h.app.get<ReadModelCache>(READ_MODEL_CACHE);
    await h.app.get(UserDirectory).create({
      sub: 'u1',
      username: 'alice',
      password: 'correct horse battery',
      claims: {},
    });
    const registry = h.app.get(ClientRegistry);
    const hybrid = {
      response_types: ['code', 'code token'],
      grant_types: ['authorization_code', 'implicit', 'refresh_token'],
    };
    await registry.register(webClient('rp', hybrid) as never, 'admin', CLIENT_SECRET);
    await registry.register(webClient('other', hybrid) as never, 'admin', CLIENT_SECRET);
  }, 30_000);
  afterAll(() => h.close());

  it.each([
    [
      'a wrong code_verifier',
      { code_verifier: `${VERIFIER.slice(0, -1)}A` },
      'PKCE verification failed',
    ],
    [
      'another redirect_uri',
      { redirect_uri: `${REDIRECT_URI}/x` },
      'redirect_uri does not match the authorization request',
    ],
  ])('after %s, the right request meets a revoked code', async (_, params, description) => {
    const { code } = await authorize();
    expect(await oauthErrorOf(redeem(code!, params))).toMatchObject({
      error: 'invalid_grant',
      status: 400,
      description,
    });
    expect(await oauthErrorOf(redeem(code!))).toMatchObject({
      error: 'invalid_grant',
      description: 'authorization code has been revoked',
    });
  });

  it('a missing code_verifier spends it too', async () => {
    const { code } = await authorize();
    const params = { grant_type: 'authorization_code', code: code!, redirect_uri: REDIRECT_URI };
    await expect(
      h.app.get(TokenEndpoint).handle({
        params,
        clientAuth: basic('rp'),
        endpoint: 'http://localhost:3000/token',
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(await oauthErrorOf(redeem(code!))).toMatchObject({
      description: 'authorization code has been revoked',
    });
  });

  it("another client's attempt reads like an unknown code, and spends it", async () => {
    const { code } = await authorize();
    expect(await oauthErrorOf(redeem(code!, {}, 'other'))).toMatchObject({
      error: 'invalid_grant',
      description: 'authorization code is invalid',
    });
    expect(await oauthErrorOf(redeem(code!))).toMatchObject({
      description: 'authorization code has been revoked',
    });
  });

  it('revokes the tokens the same authorization issued (hybrid), before it answers', async () => {
    const front = await authorize('code token');
    const { key, record } = await h.app.get(IntrospectionService).introspect(front.access_token!);
    expect(record['active']).toBe(true);
    await cache.set(key!, encodeRecord(record as never));

    await oauthErrorOf(redeem(front.code!, { code_verifier: `${VERIFIER.slice(0, -1)}A` }));
    expect(decodeRecord(await cache.get(key!))).toEqual({ active: false, reason: 'revoked' });
  });

  it('a malformed code_verifier is a malformed request: the code is not looked at, nor spent', async () => {
    const { code } = await authorize();
    expect(await oauthErrorOf(redeem(code!, { code_verifier: 'short' }))).toMatchObject({
      error: 'invalid_request',
    });
    const tokens = await redeem(code!);
    expect(tokens.access_token).toBeDefined();
  });
});
