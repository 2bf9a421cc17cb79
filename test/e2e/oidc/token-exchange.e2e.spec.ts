import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@idp/config';
import { startEmbedded } from '@idp/embedded';
import { signIn } from '../logout/logout.fixtures';
import { startDistributedStack } from '../support/distributed-stack';
import { discover, rpFor, type ServerMetadata } from '../support/rp';
import { freePort } from '../support/service-process';
import { CookieBrowser } from './browser';
import { ALICE, REDIRECT_URI } from './seed';

jest.setTimeout(60_000);

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';
const LOGGED_OUT = 'https://svc-a.example.test/logged-out';
/** A: the user's front end; B and C: services behind it, each a client and an audience. */
const A = { id: 'svc-a', secret: 'svc-a-secret-0123456789abcdefghijk' };
const B = { id: 'svc-b', secret: 'svc-b-secret-0123456789abcdefghijk' };
const C = { id: 'svc-c', secret: 'svc-c-secret-0123456789abcdefghijk' };

function writeSeed(): string {
  const service = (c: { id: string; secret: string }, over: Record<string, unknown>) => ({
    client_id: c.id,
    client_secret: c.secret,
    grant_types: ['client_credentials', EXCHANGE],
    response_types: [],
    scope: 'openid email',
    ...over,
  });
  const seed = {
    clients: [
      service(A, {
        redirect_uris: [REDIRECT_URI],
        post_logout_redirect_uris: [LOGGED_OUT],
        grant_types: ['authorization_code', 'client_credentials', EXCHANGE],
        response_types: ['code'],
        skip_consent: true,
        access_token_format: 'jwt',
        token_exchange: { audiences: [B.id] },
      }),
      service(B, { token_exchange: { audiences: [C.id] } }),
      {
        client_id: C.id,
        client_secret: C.secret,
        grant_types: ['client_credentials'],
        response_types: [],
      },
    ],
    users: [{ ...ALICE, claims: { email: 'alice@example.test' } }],
  };
  const file = join(mkdtempSync(join(tmpdir(), 'idp-exchange-seed-')), 'seed.json');
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
    DATA_DIR: mkdtempSync(join(tmpdir(), 'idp-exchange-')),
    PORT: String(port),
    ISSUER: issuer,
    SEED_FILE: seedFile,
    LOG_LEVEL: 'warn',
  });
  const { app } = await startEmbedded(config);
  return { introspectUrl: `${issuer}/introspect`, stop: () => app.close() };
};

const distributed: Start = async ({ port, issuer, seedFile }) => {
  const stack = await startDistributedStack({ name: 'exchange', issuer, seedFile, authPort: port });
  return { introspectUrl: `${stack.introspection[0]!.url}/introspect`, stop: () => stack.stop() };
};

/**
 * RFC 8693 end to end, in both modes (ADR 0033): A exchanges the user's
 * access token for B with itself as actor, B exchanges that for C (act
 * nested), and logging the user out kills every exchanged token at once.
 */
describe.each([
  ['embedded', embedded],
  ['distributed', distributed],
])('token exchange (%s mode)', (_mode, start) => {
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

  const basic = (c: { id: string; secret: string }) =>
    `Basic ${Buffer.from(`${c.id}:${c.secret}`).toString('base64')}`;
  const post = async (url: string, auth: string, params: Record<string, string>) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const token = (c: { id: string; secret: string }, params: Record<string, string>) =>
    post(`${base}/token`, basic(c), params);
  const serviceToken = async (c: { id: string; secret: string }) =>
    (await token(c, { grant_type: 'client_credentials' })).body['access_token'] as string;
  const introspect = async (as: { id: string; secret: string }, t: string) =>
    (await post(provider!.introspectUrl, basic(as), { token: t })).body;

  it('advertises the grant type', () => {
    expect(issuer.grant_types_supported).toContain(EXCHANGE);
  });

  it('A -> B -> C with nested act; logout makes every exchanged token inactive', async () => {
    const browser = new CookieBrowser();
    const client = rpFor(issuer, {
      client_id: A.id,
      client_secret: A.secret,
      redirect_uris: [REDIRECT_URI],
    });
    const user = await signIn(browser, base, client, 'openid email');

    const toB = await token(A, {
      grant_type: EXCHANGE,
      subject_token: user.access_token,
      subject_token_type: ACCESS_TOKEN,
      actor_token: await serviceToken(A),
      actor_token_type: ACCESS_TOKEN,
      audience: B.id,
    });
    expect(toB).toMatchObject({
      status: 200,
      body: { issued_token_type: ACCESS_TOKEN, token_type: 'Bearer', scope: 'openid email' },
    });
    const tokenB = toB.body['access_token'] as string;
    expect(await introspect(B, tokenB)).toMatchObject({
      active: true,
      sub: ALICE.sub,
      aud: [B.id],
      client_id: A.id,
      act: { sub: A.id },
    });

    const toC = await token(B, {
      grant_type: EXCHANGE,
      subject_token: tokenB,
      subject_token_type: ACCESS_TOKEN,
      actor_token: await serviceToken(B),
      actor_token_type: ACCESS_TOKEN,
      audience: C.id,
      scope: 'openid',
    });
    expect(toC.status).toBe(200);
    const tokenC = toC.body['access_token'] as string;
    expect(await introspect(C, tokenC)).toMatchObject({
      active: true,
      sub: ALICE.sub,
      aud: [C.id],
      client_id: B.id,
      scope: 'openid',
      act: { sub: B.id, act: { sub: A.id } },
    });
    const info = await fetch(`${base}/userinfo`, {
      headers: { authorization: `Bearer ${tokenC}` },
    });
    expect(await info.json()).toMatchObject({ sub: ALICE.sub });

    // A target outside B's policy is refused (RFC 8693 2.2.2).
    expect(
      await token(B, {
        grant_type: EXCHANGE,
        subject_token: tokenB,
        subject_token_type: ACCESS_TOKEN,
        actor_token: await serviceToken(B),
        actor_token_type: ACCESS_TOKEN,
        audience: A.id,
      }),
    ).toMatchObject({ status: 400, body: { error: 'invalid_target' } });

    const url = new URL(`${base}/logout`);
    url.search = new URLSearchParams({
      id_token_hint: user.id_token!,
      post_logout_redirect_uri: LOGGED_OUT,
    }).toString();
    expect((await browser.fetch(url.toString())).status).toBe(303);

    // No waiting: logout answers after the session's grants and their tombstones.
    expect(await introspect(A, user.access_token)).toEqual({ active: false });
    expect(await introspect(B, tokenB)).toEqual({ active: false });
    expect(await introspect(C, tokenC)).toEqual({ active: false });
    for (const t of [tokenB, tokenC]) {
      const res = await fetch(`${base}/userinfo`, { headers: { authorization: `Bearer ${t}` } });
      expect(res.status).toBe(401);
    }
    expect(
      await token(B, {
        grant_type: EXCHANGE,
        subject_token: tokenB,
        subject_token_type: ACCESS_TOKEN,
        actor_token: await serviceToken(B),
        actor_token_type: ACCESS_TOKEN,
        audience: C.id,
      }),
    ).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });
});
