import { signIn } from '../logout/logout.fixtures';
import { basicAuth, postForm, type SecretClient } from '../support/form-post';
import { discover, rpFor, type ServerMetadata } from '../support/rp';
import { CookieBrowser } from './browser';
import { startProvider, type Provider } from './provider';
import { ALICE, REDIRECT_URI, writeSeedJson } from './seed';

jest.setTimeout(60_000);

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';
const LOGGED_OUT = 'https://svc-a.example.test/logged-out';
/** A: the user's front end; B and C: services behind it, each a client and an audience. */
const A = { id: 'svc-a', secret: 'svc-a-secret-0123456789abcdefghijk' };
const B = { id: 'svc-b', secret: 'svc-b-secret-0123456789abcdefghijk' };
const C = { id: 'svc-c', secret: 'svc-c-secret-0123456789abcdefghijk' };

function writeSeed(): string {
  const service = (c: SecretClient, over: Record<string, unknown>) => ({
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
  return writeSeedJson('idp-exchange-seed-', seed);
}

/**
 * RFC 8693 end to end, in both modes (ADR 0033): A exchanges the user's
 * access token for B with itself as actor, B exchanges that for C (act
 * nested), and logging the user out kills every exchanged token at once.
 */
describe.each(['embedded', 'distributed'] as const)('token exchange (%s mode)', (mode) => {
  let base = '';
  let provider: Provider | undefined;
  let issuer: ServerMetadata;

  beforeAll(async () => {
    provider = await startProvider({ mode, name: 'exchange', seedFile: writeSeed() });
    base = provider.base;
    issuer = await discover(base);
  }, 120_000);
  afterAll(() => provider?.stop());

  const token = (c: SecretClient, params: Record<string, string>) =>
    postForm(`${base}/token`, basicAuth(c), params);
  const serviceToken = async (c: SecretClient) =>
    (await token(c, { grant_type: 'client_credentials' })).body['access_token'] as string;
  const introspect = async (as: SecretClient, t: string) =>
    (await postForm(provider!.introspectUrl, basicAuth(as), { token: t })).body;

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
