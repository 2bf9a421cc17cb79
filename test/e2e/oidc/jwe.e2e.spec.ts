import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader, type JWK } from 'jose';
import * as oidc from 'openid-client';
import { loadConfig } from '@idp/config';
import { decryptAccessToken, verifyOurJwt } from '@idp/crypto';
import { startEmbedded } from '@idp/embedded';
import {
  authorizationUrl,
  codeGrant,
  discover,
  newChecks,
  rpFor,
  userinfo,
  type ServerMetadata,
} from '../support/rp';
import { freePort } from '../support/service-process';
import { CookieBrowser, formOf } from './browser';
import { ALICE, REDIRECT_URI } from './seed';

const API = 'https://api.example.test';
const WEB = { id: 'web-jwe', secret: 'web-jwe-secret-0123456789abcdefgh' };
const SVC = { id: 'svc-jwe', secret: 'svc-jwe-secret-0123456789abcdefgh' };

/** The resource server's key pair: only the public half goes to the provider. */
const rs = (() => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const meta = { kid: 'api-enc-1', alg: 'RSA-OAEP-256', use: 'enc' };
  return {
    publicJwk: { ...(publicKey.export({ format: 'jwk' }) as JWK), ...meta },
    privateJwk: { ...(privateKey.export({ format: 'jwk' }) as JWK), ...meta },
  };
})();

function writeSeed(): string {
  const seed = {
    resources: [{ resource: API, jwks: { keys: [rs.publicJwk] } }],
    clients: [
      {
        client_id: WEB.id,
        client_secret: WEB.secret,
        redirect_uris: [REDIRECT_URI],
        grant_types: ['authorization_code', 'refresh_token'],
        scope: 'openid profile email offline_access',
        skip_consent: true,
        access_token_format: 'jwe',
        resources: [API],
      },
      {
        client_id: SVC.id,
        client_secret: SVC.secret,
        grant_types: ['client_credentials'],
        response_types: [],
        scope: 'reports:read',
        access_token_format: 'jwe',
        resources: [API],
      },
    ],
    users: [{ ...ALICE, claims: { name: 'Alice Liddell', email: 'alice@example.test' } }],
  };
  const file = join(mkdtempSync(join(tmpdir(), 'idp-jwe-seed-')), 'seed.json');
  writeFileSync(file, JSON.stringify(seed));
  return file;
}

/**
 * Encrypted access tokens end to end, embedded mode: the resource server
 * decrypts with its own key and verifies our signature against /jwks; the
 * provider, which cannot decrypt, still answers /userinfo through the
 * token's MACed userinfo handle (docs/adr/0007).
 */
describe('encrypted (jwe) access tokens, embedded mode', () => {
  let base = '';
  let stop = async (): Promise<void> => undefined;
  let issuer: ServerMetadata;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const config = loadConfig({
      DATA_DIR: mkdtempSync(join(tmpdir(), 'idp-jwe-')),
      PORT: String(port),
      ISSUER: base,
      SEED_FILE: writeSeed(),
      LOG_LEVEL: 'warn',
    });
    const { app } = await startEmbedded(config);
    stop = () => app.close();
    issuer = await discover(base);
  }, 120_000);
  afterAll(() => stop());

  const web = () =>
    rpFor(issuer, {
      client_id: WEB.id,
      client_secret: WEB.secret,
      redirect_uris: [REDIRECT_URI],
    });

  /** What the resource server does with a token it receives. */
  async function asResourceServer(token: string) {
    const inner = await decryptAccessToken(token, rs.privateJwk);
    const jwks = (await (await fetch(issuer.jwks_uri!)).json()) as { keys: JWK[] };
    const claims = await verifyOurJwt(inner, { jwks: jwks.keys, issuer: base, typ: 'at+jwt' });
    return { claims, innerHeader: decodeProtectedHeader(inner) };
  }

  const userinfoStatus = async (token: string) => {
    const res = await fetch(`${base}/userinfo`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, challenge: res.headers.get('www-authenticate') ?? '' };
  };

  async function codeFlow(client: oidc.Configuration, scope: string) {
    const { checks, params } = await newChecks();
    const url = authorizationUrl(client, { scope, ...params });
    const browser = new CookieBrowser();
    const login = formOf(await (await browser.follow(url, {}, base)).text());
    const form = { ...login.fields, username: ALICE.username, password: ALICE.password };
    const res = await browser.follow(
      new URL(login.action, base).toString(),
      { method: 'POST', body: new URLSearchParams(form) },
      base,
    );
    const callback = res.headers.get('location')!;
    expect(callback.startsWith(REDIRECT_URI)).toBe(true);
    return codeGrant(client, callback, checks);
  }

  it('client_credentials: a JWE only the resource server reads, wrapping our signed at+jwt', async () => {
    const res = await fetch(`${base}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${SVC.id}:${SVC.secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBe(200);
    const { access_token: token } = (await res.json()) as { access_token: string };
    expect(token.split('.')).toHaveLength(5);
    expect(decodeProtectedHeader(token)).toEqual({
      alg: 'RSA-OAEP-256',
      enc: 'A256GCM',
      cty: 'JWT',
      typ: 'at+jwt',
      kid: 'api-enc-1',
    });
    const { claims, innerHeader } = await asResourceServer(token);
    expect(innerHeader.typ).toBe('at+jwt');
    expect(claims).toMatchObject({ iss: base, aud: [API], client_id: SVC.id, sub: SVC.id });
    // No user, no openid: /userinfo says why it cannot use this token.
    const info = await userinfoStatus(token);
    expect(info.status).toBe(401);
    expect(info.challenge).toMatch(/error="invalid_token".*encrypted to a resource server/);
  });

  it('code flow: the RP library validates the ID token, the RS reads the JWE, userinfo answers', async () => {
    const client = web();
    const tokens = await codeFlow(client, 'openid email offline_access');
    expect(tokens.claims()).toMatchObject({ iss: base, sub: ALICE.sub, aud: WEB.id });
    expect(tokens.access_token!.split('.')).toHaveLength(5);
    const { claims } = await asResourceServer(tokens.access_token!);
    expect(claims).toMatchObject({ sub: ALICE.sub, aud: [API], client_id: WEB.id });
    for (const c of ['nonce', 'at_hash', 'email']) expect(claims).not.toHaveProperty(c);
    expect(await userinfo(client, tokens.access_token)).toEqual({
      sub: ALICE.sub,
      email: 'alice@example.test',
    });
  });

  it('a forged userinfo handle is refused, and revoking the grant reaches the JWE at userinfo', async () => {
    const client = web();
    const tokens = await codeFlow(client, 'openid offline_access');
    const forgedHeader = { ...decodeProtectedHeader(tokens.access_token!) };
    forgedHeader['userinfo_handle'] = `${String(forgedHeader['userinfo_handle']).slice(0, -4)}AAAA`;
    const rest = tokens.access_token!.split('.').slice(1);
    const forged = [Buffer.from(JSON.stringify(forgedHeader)).toString('base64url'), ...rest];
    expect((await userinfoStatus(forged.join('.'))).status).toBe(401);

    const refreshed = await oidc.refreshTokenGrant(client, tokens.refresh_token!);
    expect((await asResourceServer(refreshed.access_token!)).claims.sub).toBe(ALICE.sub);
    await expect(userinfo(client, refreshed.access_token)).resolves.toMatchObject({
      sub: ALICE.sub,
    });
    // Reusing the rotated refresh token revokes the grant (RFC 9700 4.14.2).
    await expect(oidc.refreshTokenGrant(client, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    expect((await userinfoStatus(refreshed.access_token!)).status).toBe(401);
  });
});
