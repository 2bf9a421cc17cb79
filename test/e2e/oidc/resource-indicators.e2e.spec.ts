import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader, type JWK } from 'jose';
import * as oidc from 'openid-client';
import { loadConfig } from '@idp/config';
import { decryptAccessToken, verifyOurJwt } from '@idp/crypto';
import { startEmbedded } from '@idp/embedded';
import { startDistributedStack } from '../support/distributed-stack';
import { authorizationUrl, discover, newChecks, rpFor, type ServerMetadata } from '../support/rp';
import { freePort } from '../support/service-process';
import { CookieBrowser, formOf } from './browser';
import { ALICE, REDIRECT_URI } from './seed';

jest.setTimeout(60_000);

/** Two registered resource servers: one reads signed JWTs, the other only JWEs to its key. */
const JWT_API = 'https://jwt-api.example.test';
const JWE_API = 'https://jwe-api.example.test/v1';
/** In the client's `resources`, but no resource server registered it. */
const UNKNOWN_API = 'https://unknown-api.example.test';
const WEB = { id: 'web-resources', secret: 'web-resources-secret-0123456789abc' };
const SVC = { id: 'svc-resources', secret: 'svc-resources-secret-0123456789abc' };

function encryptionKeyPair(kid: string) {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const meta = { kid, alg: 'RSA-OAEP-256', use: 'enc' };
  return {
    publicJwk: { ...(publicKey.export({ format: 'jwk' }) as JWK), ...meta },
    privateJwk: { ...(privateKey.export({ format: 'jwk' }) as JWK), ...meta },
  };
}
const jwtApiKey = encryptionKeyPair('jwt-api-enc');
const jweApiKey = encryptionKeyPair('jwe-api-enc');

function writeSeed(): string {
  const seed = {
    resources: [
      { resource: JWT_API, jwks: { keys: [jwtApiKey.publicJwk] }, access_token_format: 'jwt' },
      { resource: JWE_API, jwks: { keys: [jweApiKey.publicJwk] }, access_token_format: 'jwe' },
    ],
    clients: [
      {
        client_id: WEB.id,
        client_secret: WEB.secret,
        redirect_uris: [REDIRECT_URI],
        grant_types: ['authorization_code', 'refresh_token'],
        scope: 'openid email offline_access',
        skip_consent: true,
        resources: [JWT_API, JWE_API, UNKNOWN_API],
      },
      {
        client_id: SVC.id,
        client_secret: SVC.secret,
        grant_types: ['client_credentials'],
        response_types: [],
        scope: 'reports:read',
        resources: [JWT_API, JWE_API],
      },
    ],
    users: [{ ...ALICE, claims: { email: 'alice@example.test' } }],
  };
  const file = join(mkdtempSync(join(tmpdir(), 'idp-resource-seed-')), 'seed.json');
  writeFileSync(file, JSON.stringify(seed));
  return file;
}

interface Provider {
  readonly introspectUrl: string;
  stop(): Promise<void>;
}
type Start = (opts: { port: number; issuer: string; seedFile: string }) => Promise<Provider>;

const embedded: Start = async ({ port, issuer, seedFile }) => {
  const config = loadConfig({
    DATA_DIR: mkdtempSync(join(tmpdir(), 'idp-resource-')),
    PORT: String(port),
    ISSUER: issuer,
    SEED_FILE: seedFile,
    LOG_LEVEL: 'warn',
  });
  const { app } = await startEmbedded(config);
  return { introspectUrl: `${issuer}/introspect`, stop: () => app.close() };
};

const distributed: Start = async ({ port, issuer, seedFile }) => {
  const stack = await startDistributedStack({ name: 'resource', issuer, seedFile, authPort: port });
  return { introspectUrl: `${stack.introspection[0]!.url}/introspect`, stop: () => stack.stop() };
};

/**
 * RFC 8707 end to end, in both modes (ADR 0030): one authorization for two
 * resource servers, one access token per resource, each in the format and
 * for the recipient its resource server registered.
 */
describe.each([
  ['embedded', embedded],
  ['distributed', distributed],
])('resource indicators (%s mode)', (_mode, start) => {
  let base = '';
  let provider: Provider | undefined;
  let issuer: ServerMetadata;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    provider = await start({ port, issuer: base, seedFile: writeSeed() });
    issuer = await discover(base);
  }, 120_000);
  afterAll(() => provider?.stop());

  const web = () =>
    rpFor(issuer, { client_id: WEB.id, client_secret: WEB.secret, redirect_uris: [REDIRECT_URI] });
  const basic = (c: { id: string; secret: string }) =>
    `Basic ${Buffer.from(`${c.id}:${c.secret}`).toString('base64')}`;

  /** Signs Alice in for an authorization request naming `resources`; the redirect it ends in. */
  async function authorize(client: oidc.Configuration, resources: string[]) {
    const { checks, params } = await newChecks();
    const url = new URL(authorizationUrl(client, { scope: 'openid offline_access', ...params }));
    for (const r of resources) url.searchParams.append('resource', r);
    const browser = new CookieBrowser();
    const page = await browser.follow(url.toString(), {}, base);
    if (page.status !== 200) return { checks, callback: new URL(page.headers.get('location')!) };
    const login = formOf(await page.text());
    const form = { ...login.fields, username: ALICE.username, password: ALICE.password };
    const res = await browser.follow(
      new URL(login.action, base).toString(),
      { method: 'POST', body: new URLSearchParams(form) },
      base,
    );
    return { checks, callback: new URL(res.headers.get('location')!) };
  }

  /** What a resource server does with a token: decrypt if it is a JWE, verify our signature. */
  async function verified(token: string, key?: JWK) {
    const jws = key ? await decryptAccessToken(token, key) : token;
    const jwks = (await (await fetch(issuer.jwks_uri!)).json()) as { keys: JWK[] };
    return verifyOurJwt(jws, { jwks: jwks.keys, issuer: base, typ: 'at+jwt' });
  }

  async function tokenRequest(auth: string, body: string) {
    const res = await fetch(`${base}/token`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('one code for two resources: redeemed for the JWT one, refreshed narrowing to the JWE one', async () => {
    const client = web();
    const { checks, callback } = await authorize(client, [JWT_API, JWE_API]);
    expect(callback.href.startsWith(REDIRECT_URI)).toBe(true);
    const tokens = await oidc.authorizationCodeGrant(
      client,
      callback,
      {
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        pkceCodeVerifier: checks.codeVerifier,
        idTokenExpected: true,
      },
      { resource: JWT_API },
    );
    // The JWT resource server's token: a signed at+jwt whose only audience is that server.
    expect(tokens.access_token.split('.')).toHaveLength(3);
    expect(await verified(tokens.access_token)).toMatchObject({
      aud: [JWT_API],
      sub: ALICE.sub,
      client_id: WEB.id,
    });
    // Introspection and userinfo keep working for it.
    const introspection = await fetch(provider!.introspectUrl, {
      method: 'POST',
      headers: {
        authorization: basic(WEB),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token: tokens.access_token }),
    });
    expect(await introspection.json()).toMatchObject({ active: true, aud: [JWT_API] });
    const info = await fetch(`${base}/userinfo`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(await info.json()).toMatchObject({ sub: ALICE.sub });

    // A refresh may narrow to the other granted resource: a JWE only its server can read.
    const refreshed = await oidc.refreshTokenGrant(client, tokens.refresh_token!, {
      resource: JWE_API,
    });
    const jwe = refreshed.access_token;
    expect(jwe.split('.')).toHaveLength(5);
    expect(decodeProtectedHeader(jwe)).toMatchObject({ alg: 'RSA-OAEP-256', kid: 'jwe-api-enc' });
    expect(await verified(jwe, jweApiKey.privateJwk)).toMatchObject({
      aud: [JWE_API],
      sub: ALICE.sub,
    });
    // The other resource server's key does not open it.
    await expect(decryptAccessToken(jwe, jwtApiKey.privateJwk)).rejects.toThrow();

    // Never wider than the grant: a resource the client has but the grant does not.
    const widened = await tokenRequest(
      basic(WEB),
      new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: refreshed.refresh_token!,
        resource: UNKNOWN_API,
      }).toString(),
    );
    expect(widened).toMatchObject({ status: 400, body: { error: 'invalid_target' } });
  });

  it('refuses resources that are not registered, at /authorize and at /token', async () => {
    // Not in the client's resources: invalid_target, sent to the redirect_uri.
    const foreign = await authorize(web(), ['https://elsewhere.example.test']);
    expect(foreign.callback.href.startsWith(REDIRECT_URI)).toBe(true);
    expect(foreign.callback.searchParams.get('error')).toBe('invalid_target');
    expect(foreign.callback.searchParams.get('state')).toBe(foreign.checks.state);
    // In the client's resources, but no resource server is registered under it.
    const unknown = await authorize(web(), [UNKNOWN_API]);
    expect(unknown.callback.searchParams.get('error')).toBe('invalid_target');

    const svc = basic(SVC);
    const cc = (extra: string) => tokenRequest(svc, `grant_type=client_credentials&${extra}`);
    expect(await cc(`resource=${encodeURIComponent(JWT_API)}`)).toMatchObject({ status: 200 });
    for (const refused of [
      `resource=${encodeURIComponent('https://elsewhere.example.test')}`,
      // One access token per resource: two in one token request are refused.
      `resource=${encodeURIComponent(JWT_API)}&resource=${encodeURIComponent(JWE_API)}`,
    ])
      expect(await cc(refused)).toMatchObject({ status: 400, body: { error: 'invalid_target' } });
  });
});
