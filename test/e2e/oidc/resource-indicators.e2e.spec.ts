import { decodeProtectedHeader, type JWK } from 'jose';
import * as oidc from 'openid-client';
import { decryptAccessToken } from '@idp/crypto';
import { basicAuth, postForm } from '../support/form-post';
import { authorizationUrl, discover, newChecks, rpFor, type ServerMetadata } from '../support/rp';
import { CookieBrowser, formOf } from './browser';
import { startProvider, type Provider } from './provider';
import { verifiedAccessToken } from './resource-server';
import { ALICE, encryptionKeyPair, REDIRECT_URI, writeSeedJson } from './seed';

jest.setTimeout(60_000);

/** Two registered resource servers: one reads signed JWTs, the other only JWEs to its key. */
const JWT_API = 'https://jwt-api.example.test';
const JWE_API = 'https://jwe-api.example.test/v1';
/** In the client's `resources`, but no resource server registered it. */
const UNKNOWN_API = 'https://unknown-api.example.test';
const WEB = { id: 'web-resources', secret: 'web-resources-secret-0123456789abc' };
const SVC = { id: 'svc-resources', secret: 'svc-resources-secret-0123456789abc' };

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
  return writeSeedJson('idp-resource-seed-', seed);
}

/**
 * RFC 8707 end to end, in both modes (ADR 0030): one authorization for two
 * resource servers, one access token per resource, each in the format and
 * for the recipient its resource server registered.
 */
describe.each(['embedded', 'distributed'] as const)('resource indicators (%s mode)', (mode) => {
  let base = '';
  let provider: Provider | undefined;
  let issuer: ServerMetadata;

  beforeAll(async () => {
    provider = await startProvider({ mode, name: 'resource', seedFile: writeSeed() });
    base = provider.base;
    issuer = await discover(base);
  }, 120_000);
  afterAll(() => provider?.stop());

  const web = () =>
    rpFor(issuer, { client_id: WEB.id, client_secret: WEB.secret, redirect_uris: [REDIRECT_URI] });

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
  const verified = (token: string, key?: JWK) =>
    verifiedAccessToken(token, { base, jwksUri: issuer.jwks_uri! }, key);
  const tokenRequest = (auth: string, body: string) => postForm(`${base}/token`, auth, body);

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
        authorization: basicAuth(WEB),
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
      basicAuth(WEB),
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

    const svc = basicAuth(SVC);
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
