import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { loadConfig } from '@idp/config';
import { startEmbedded } from '@idp/embedded';
import {
  codeGrant,
  discover,
  newChecks,
  rpFor,
  type OidcTokens,
  type ServerMetadata,
} from '../support/rp';
import { freePort } from '../support/service-process';
import { authorizeAsAlice } from '../oidc/flows';
import { clientKeyPair, REDIRECT_URI, writeSeedFile } from '../oidc/seed';

const OPAQUE = { id: 'web-opaque', secret: 'web-opaque-secret-0123456789abcdef' };
const JWT = { id: 'web-jwt', secret: 'web-jwt-secret-0123456789abcdefgh' };
const basic = (c: { id: string; secret: string }) =>
  `Basic ${Buffer.from(`${c.id}:${c.secret}`).toString('base64')}`;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** RFC 7009 at /revoke, end to end in the embedded mode: revoked means refused at once. */
describe('POST /revoke (embedded mode)', () => {
  let base = '';
  let issuer: ServerMetadata;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const { app } = await startEmbedded(
      loadConfig({
        DATA_DIR: mkdtempSync(join(tmpdir(), 'idp-revoke-data-')),
        PORT: String(port),
        ISSUER: base,
        SEED_FILE: writeSeedFile(clientKeyPair().publicJwk),
        LOG_LEVEL: 'warn',
      }),
    );
    stop = () => app.close();
    issuer = await discover(base);
  }, 60_000);
  afterAll(() => stop());

  const clientFor = (c: { id: string; secret: string }, method: string) =>
    rpFor(issuer, {
      client_id: c.id,
      client_secret: c.secret,
      redirect_uris: [REDIRECT_URI],
      token_endpoint_auth_method: method,
    });
  async function tokensFor(client: oidc.Configuration): Promise<OidcTokens> {
    const { checks, params } = await newChecks();
    const callback = await authorizeAsAlice(base, client, { scope: 'openid', ...params });
    return codeGrant(client, callback, checks);
  }
  const userinfo = (accessToken: string) =>
    fetch(`${base}/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } });
  const revoke = (
    params: Record<string, string>,
    headers: Record<string, string> = { ...FORM, authorization: basic(OPAQUE) },
  ) =>
    fetch(`${base}/revoke`, {
      method: 'POST',
      headers,
      body: new URLSearchParams(params).toString(),
    });
  const refreshFails = async (client: oidc.Configuration, refreshToken: string) => {
    const err = await oidc.refreshTokenGrant(client, refreshToken).catch((e: unknown) => e);
    expect(err).toMatchObject({ error: 'invalid_grant' });
  };

  it('advertises the endpoint in discovery', () => {
    expect(issuer.revocation_endpoint).toBe(`${base}/revoke`);
  });

  it.each([
    ['opaque', OPAQUE, 'client_secret_basic'],
    ['JWT', JWT, 'client_secret_post'],
  ])(
    'revokes an %s access token at once; the refresh token still works',
    async (_kind, c, method) => {
      const client = clientFor(c, method);
      const tokens = await tokensFor(client);
      expect((await userinfo(tokens.access_token!)).status).toBe(200);
      const res =
        method === 'client_secret_basic'
          ? await revoke({ token: tokens.access_token! }, { ...FORM, authorization: basic(c) })
          : await revoke(
              { token: tokens.access_token!, client_id: c.id, client_secret: c.secret },
              FORM,
            );
      const body = await res.text();
      expect({ status: res.status, body }).toEqual({ status: 200, body: '' });
      expect(res.headers.get('cache-control')).toBe('no-store');
      const after = await userinfo(tokens.access_token!);
      expect(after.status).toBe(401);
      expect(after.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
      const next = await oidc.refreshTokenGrant(client, tokens.refresh_token!);
      expect((await userinfo(next.access_token!)).status).toBe(200);
    },
  );

  it("revokes a refresh token's whole grant: its access tokens die and refreshing fails", async () => {
    const client = clientFor(OPAQUE, 'client_secret_basic');
    const tokens = await tokensFor(client);
    const res = await revoke({ token: tokens.refresh_token!, token_type_hint: 'refresh_token' });
    expect(res.status).toBe(200);
    expect((await userinfo(tokens.access_token!)).status).toBe(401);
    await refreshFails(client, tokens.refresh_token!);
  });

  it('honours but does not trust a wrong token_type_hint', async () => {
    const client = clientFor(OPAQUE, 'client_secret_basic');
    const tokens = await tokensFor(client);
    expect(
      (await revoke({ token: tokens.refresh_token!, token_type_hint: 'access_token' })).status,
    ).toBe(200);
    await refreshFails(client, tokens.refresh_token!);
  });

  it('answers unsupported_token_type for an ID token (RFC 7009 2.2.1); the grant keeps working', async () => {
    const client = clientFor(OPAQUE, 'client_secret_basic');
    const tokens = await tokensFor(client);
    const res = await revoke({ token: tokens.id_token! });
    expect(res.status).toBe(400);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({
      error: 'unsupported_token_type',
      error_description: 'an ID token cannot be revoked: revoke the access or refresh token',
    });
    expect((await userinfo(tokens.access_token!)).status).toBe(200);
    await expect(oidc.refreshTokenGrant(client, tokens.refresh_token!)).resolves.toBeDefined();
  });

  it("refuses another client's token with unauthorized_client; the token keeps working", async () => {
    const client = clientFor(OPAQUE, 'client_secret_basic');
    const tokens = await tokensFor(client);
    for (const token of [tokens.access_token!, tokens.refresh_token!]) {
      const res = await revoke({ token, client_id: JWT.id, client_secret: JWT.secret }, FORM);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'unauthorized_client' });
    }
    expect((await userinfo(tokens.access_token!)).status).toBe(200);
    await expect(oidc.refreshTokenGrant(client, tokens.refresh_token!)).resolves.toBeDefined();
  });

  it('answers 200 for an unknown or garbage token', async () => {
    for (const token of ['garbage', 'at_AAAA', 'rt_AAAA', 'a.b.c']) {
      expect((await revoke({ token })).status).toBe(200);
    }
  });

  describe('bad input: RFC 6749 5.2 errors, never 500', () => {
    const expectError = async (res: Response, status: number, error: string) => {
      expect(res.status).toBe(status);
      expect(await res.json()).toMatchObject({ error });
      expect(res.headers.get('cache-control')).toBe('no-store');
    };

    it('no credentials → 401 invalid_client', async () => {
      await expectError(await revoke({ token: 'x' }, FORM), 401, 'invalid_client');
    });

    it('a wrong Basic secret → 401 invalid_client with a Basic challenge', async () => {
      const res = await revoke(
        { token: 'x' },
        { ...FORM, authorization: basic({ id: OPAQUE.id, secret: 'wrong' }) },
      );
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic/);
      await expectError(res, 401, 'invalid_client');
    });

    it('GET → 405 with Allow: POST (issue #13, defect 7)', async () => {
      const res = await fetch(`${base}/revoke?token=x`, {
        headers: { authorization: basic(OPAQUE) },
      });
      expect(res.headers.get('allow')).toBe('POST');
      await expectError(res, 405, 'invalid_request');
    });

    it('a JSON body → 415 invalid_request', async () => {
      const res = await fetch(`${base}/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: basic(OPAQUE) },
        body: JSON.stringify({ token: 'x' }),
      });
      await expectError(res, 415, 'invalid_request');
    });

    it('a repeated token or a missing one → 400 invalid_request', async () => {
      const headers = { ...FORM, authorization: basic(OPAQUE) };
      await expectError(
        await fetch(`${base}/revoke`, { method: 'POST', headers, body: 'token=a&token=b' }),
        400,
        'invalid_request',
      );
      await expectError(await revoke({}), 400, 'invalid_request');
    });

    it('a 1 MB body → a 4xx OAuth error', async () => {
      const res = await revoke({ token: 'x'.repeat(1024 * 1024) });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(await res.json()).toMatchObject({ error: expect.any(String) });
    });
  });
});
