import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import type { ClaimsRequest } from '@idp/contracts';
import { startAdminHarness, oauthErrorOf, type AdminHarness } from '../admin/admin.fixtures';
import { ClientRegistry } from '../clients/client-registry.service';
import { basic, CLIENT_SECRET, REDIRECT_URI, webClient } from '../revocation/revocation.fixtures';
import { UserDirectory } from '../users/user-directory.service';
import { UserinfoService } from '../userinfo/userinfo.service';
import { AuthorizeService } from './authorize.service';
import { TokenEndpoint } from './token-endpoint.service';

const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');
const PWD = 'urn:idp:acr:pwd';

/**
 * The OIDC `claims` request parameter (Core 5.5) through token-service: kept
 * with the grant, honoured in the ID token (front channel, code redemption,
 * refresh) and at /userinfo. Over a real SQLite event store.
 */
describe('claims request: ID token and userinfo', () => {
  let h: AdminHarness;

  const authorize = (
    claimsRequest: ClaimsRequest | undefined,
    over: { clientId?: string; responseType?: string; acr?: string; scope?: string[] } = {},
  ) =>
    h.app.get(AuthorizeService).authorize({
      clientId: over.clientId ?? 'rp',
      sub: 'u1',
      sid: 'sid-1',
      authTime: Math.floor(Date.now() / 1000),
      amr: ['pwd'],
      acr: over.acr ?? PWD,
      scope: over.scope ?? ['openid'],
      redirectUri: REDIRECT_URI,
      redirectUriSupplied: true,
      responseType: over.responseType ?? 'code',
      nonce: 'n-1',
      codeChallenge: CHALLENGE,
      codeChallengeMethod: 'S256',
      ...(claimsRequest ? { claimsRequest } : {}),
    });
  const token = (params: Record<string, string>, clientId = 'rp') =>
    h.app.get(TokenEndpoint).handle({
      params,
      clientAuth: basic(clientId),
      endpoint: 'http://localhost:3000/token',
    });
  const redeem = (code: string, clientId = 'rp') =>
    token(
      {
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT_URI,
        code_verifier: VERIFIER,
      },
      clientId,
    );
  const userinfo = async (accessToken: string) => {
    const answer = await h.app.get(UserinfoService).userinfo(accessToken);
    if (answer.format !== 'json') throw new Error('expected JSON userinfo');
    return answer.claims;
  };
  const userClaimsOf = (idToken: string) => {
    const {
      iss: _iss,
      aud: _aud,
      exp: _exp,
      iat: _iat,
      auth_time: _authTime,
      nonce: _nonce,
      at_hash: _atHash,
      c_hash: _cHash,
      sid: _sid,
      amr: _amr,
      azp: _azp,
      jti: _jti,
      ...rest
    } = decodeJwt(idToken);
    return rest;
  };

  const request: ClaimsRequest = {
    id_token: {
      email: { essential: true },
      // The user has no phone number: absent, not null.
      phone_number: null,
      acr: { essential: true, values: [PWD] },
    },
    userinfo: { name: null, locale: null },
  };

  beforeAll(async () => {
    h = await startAdminHarness();
    await h.app.get(UserDirectory).create({
      sub: 'u1',
      username: 'alice',
      password: 'correct horse battery',
      claims: {
        name: 'Alice Liddell',
        email: 'alice@example.com',
        email_verified: true,
        locale: 'en-GB',
        roles: ['admin'],
      },
    });
    const registry = h.app.get(ClientRegistry);
    const all = {
      scope: 'openid profile email phone',
      response_types: ['code', 'id_token', 'id_token token'],
      grant_types: ['authorization_code', 'implicit', 'refresh_token'],
    };
    await registry.register(webClient('rp', all) as never, 'admin', CLIENT_SECRET);
    // Registered for openid and email only: it may not ask for profile claims.
    await registry.register(
      webClient('narrow', { ...all, scope: 'openid email' }) as never,
      'admin',
      CLIENT_SECRET,
    );
  }, 30_000);
  afterAll(() => h.close());

  it('code flow: the ID token carries the id_token members, /userinfo the userinfo ones', async () => {
    const { code } = await authorize(request);
    const tokens = await redeem(code!);
    expect(userClaimsOf(tokens.id_token!)).toEqual({
      sub: 'u1',
      email: 'alice@example.com',
      acr: PWD,
    });
    // Only what was requested (no scope releases anything here): no email, no roles.
    expect(await userinfo(tokens.access_token)).toEqual({
      sub: 'u1',
      name: 'Alice Liddell',
      locale: 'en-GB',
    });
  });

  it('without a claims request, nothing beyond the scopes is released', async () => {
    const { code } = await authorize(undefined, { scope: ['openid', 'email'] });
    const tokens = await redeem(code!);
    expect(userClaimsOf(tokens.id_token!)).toEqual({ sub: 'u1', acr: PWD });
    expect(await userinfo(tokens.access_token)).toEqual({
      sub: 'u1',
      email: 'alice@example.com',
      email_verified: true,
    });
  });

  it('a refreshed ID token keeps carrying the id_token members', async () => {
    const { code } = await authorize(request);
    const tokens = await redeem(code!);
    const refreshed = await token({
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token!,
    });
    expect(userClaimsOf(refreshed.id_token!)).toMatchObject({ email: 'alice@example.com' });
    expect(await userinfo(refreshed.access_token)).toMatchObject({ name: 'Alice Liddell' });
  });

  it('`id_token token`: the front-channel ID token and its access token honour it', async () => {
    const result = await authorize(request, { responseType: 'id_token token' });
    expect(userClaimsOf(result.id_token!)).toEqual({
      sub: 'u1',
      email: 'alice@example.com',
      acr: PWD,
    });
    expect(await userinfo(result.access_token!)).toEqual({
      sub: 'u1',
      name: 'Alice Liddell',
      locale: 'en-GB',
    });
  });

  it('`id_token` alone: the scopes and the id_token members', async () => {
    const result = await authorize(request, {
      responseType: 'id_token',
      scope: ['openid', 'profile'],
    });
    expect(userClaimsOf(result.id_token!)).toMatchObject({
      name: 'Alice Liddell',
      email: 'alice@example.com',
      locale: 'en-GB',
    });
    expect(userClaimsOf(result.id_token!)).not.toHaveProperty('roles');
  });

  it("releases nothing beyond the client's registered scopes", async () => {
    const { code } = await authorize(
      { id_token: { name: null, email: null }, userinfo: { name: null, email_verified: null } },
      { clientId: 'narrow' },
    );
    const tokens = await redeem(code!, 'narrow');
    expect(userClaimsOf(tokens.id_token!)).toEqual({
      sub: 'u1',
      email: 'alice@example.com',
      acr: PWD,
    });
    expect(await userinfo(tokens.access_token)).toEqual({ sub: 'u1', email_verified: true });
  });

  it('is access_denied when the session did not achieve an essential acr (5.5.1.1)', async () => {
    const gold = { id_token: { acr: { essential: true, value: 'urn:gold' } } };
    expect(await oauthErrorOf(authorize(gold))).toMatchObject({
      error: 'access_denied',
      description: 'the essential authentication context class (acr) cannot be met',
    });
    expect(await oauthErrorOf(authorize(request, { acr: 'urn:other' }))).toMatchObject({
      error: 'access_denied',
    });
    // Not essential: best effort, the ID token says what was achieved.
    const { code } = await authorize({ id_token: { acr: { value: 'urn:gold' } } });
    expect(decodeJwt((await redeem(code!)).id_token!).acr).toBe(PWD);
  });
});
