import * as oidc from 'openid-client';
import { REDIRECT_URI } from '../oidc/seed';
import {
  adminRequest,
  bearer,
  codeFlow,
  startProvider,
  type Provider,
} from '../registration/provider';
import { rpFor, type OidcTokens } from '../support/rp';

// Every login costs scrypt work (~100 ms alone, more on a busy CI machine).
jest.setTimeout(60_000);

const PASSWORD = 'a long enough password for everyone';

interface SignedIn {
  readonly client: oidc.Configuration;
  readonly tokens: OidcTokens;
}

/**
 * Admin revocation end to end, embedded mode (one process serves /userinfo,
 * /introspect and, on its admin listener, /admin): once `revoke-tokens` (or a delete) answered,
 * every token of the user, client or session is refused at /userinfo and
 * inactive at /introspect, and everybody else's tokens still work.
 */
describe('admin revoke-tokens (embedded mode)', () => {
  let p: Provider;
  const secrets = new Map<string, string>();

  beforeAll(async () => {
    p = await startProvider();
    for (const clientId of ['rp-a', 'rp-b', 'rp-c']) await createClient(clientId);
    for (const username of ['alice', 'bob', 'carol', 'dave']) {
      const res = await admin('POST', '/users', { sub: username, username, password: PASSWORD });
      expect(res.status).toBe(201);
    }
  }, 120_000);
  afterAll(() => p?.stop());

  const admin = (method: string, path: string, body?: unknown) =>
    adminRequest(p.adminBase, method, path, body);

  async function createClient(clientId: string): Promise<void> {
    const res = await admin('POST', '/clients', {
      client_id: clientId,
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid profile',
      skip_consent: true,
    });
    expect(res.status).toBe(201);
    secrets.set(clientId, ((await res.json()) as { client_secret: string }).client_secret);
  }

  async function signIn(clientId: string, username: string): Promise<SignedIn> {
    const client = rpFor(p.issuer, {
      client_id: clientId,
      client_secret: secrets.get(clientId)!,
      redirect_uris: [REDIRECT_URI],
    });
    const tokens = await codeFlow(p.base, client, { username, password: PASSWORD });
    expect(tokens.refresh_token).toBeDefined();
    return { client, tokens };
  }

  /** RFC 7662 as the token's own client asks it. */
  async function active(s: SignedIn, token: string): Promise<boolean> {
    const { client_id, client_secret } = s.client.clientMetadata();
    const res = await fetch(`${p.base}/introspect`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ token }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { active: boolean }).active;
  }

  const userinfoStatus = async (s: SignedIn) =>
    (await fetch(`${p.base}/userinfo`, { headers: bearer(s.tokens.access_token!) })).status;

  async function expectDead(s: SignedIn): Promise<void> {
    expect(await userinfoStatus(s)).toBe(401);
    expect(await active(s, s.tokens.access_token!)).toBe(false);
    expect(await active(s, s.tokens.refresh_token!)).toBe(false);
  }
  async function expectAlive(s: SignedIn): Promise<void> {
    expect(await userinfoStatus(s)).toBe(200);
    expect(await active(s, s.tokens.access_token!)).toBe(true);
    expect(await active(s, s.tokens.refresh_token!)).toBe(true);
  }

  const revokeTokens = async (path: string) => {
    const res = await admin('POST', `${path}/revoke-tokens`);
    return { status: res.status, body: (await res.json()) as unknown };
  };

  it("revokes all of a user's tokens at every client, and no one else's", async () => {
    const alice = [await signIn('rp-a', 'alice'), await signIn('rp-b', 'alice')];
    const bob = await signIn('rp-a', 'bob');
    // Introspected once, so the read model holds active records the tombstones must replace.
    for (const s of [...alice, bob]) await expectAlive(s);

    expect(await revokeTokens('/users/alice')).toEqual({
      status: 200,
      body: { revoked_grants: 2 },
    });
    for (const s of alice) await expectDead(s);
    await expectAlive(bob);
    await expect(
      oidc.refreshTokenGrant(alice[0]!.client, alice[0]!.tokens.refresh_token!),
    ).rejects.toMatchObject({ error: 'invalid_grant' });

    expect(await revokeTokens('/users/alice')).toEqual({
      status: 200,
      body: { revoked_grants: 0 },
    });
    expect((await revokeTokens('/users/nobody')).status).toBe(404);
  });

  it("revokes all of a client's tokens for every user, and no other client's", async () => {
    const ofC = [await signIn('rp-c', 'bob'), await signIn('rp-c', 'carol')];
    const elsewhere = await signIn('rp-b', 'carol');
    for (const s of ofC) await expectAlive(s); // cached active: the tombstones must replace them

    expect(await revokeTokens('/clients/rp-c')).toEqual({
      status: 200,
      body: { revoked_grants: 2 },
    });
    for (const s of ofC) await expectDead(s);
    await expectAlive(elsewhere);
    expect((await revokeTokens('/clients/no-such-client')).status).toBe(404);
  });

  it("revokes one session's tokens; an unknown session has none", async () => {
    const first = await signIn('rp-a', 'carol');
    const second = await signIn('rp-a', 'carol'); // another browser: another session
    const sid = first.tokens.claims()['sid'] as string;
    expect(sid).toBeDefined();
    await expectAlive(first);

    expect(await revokeTokens(`/sessions/${sid}`)).toEqual({
      status: 200,
      body: { revoked_grants: 1 },
    });
    await expectDead(first);
    await expectAlive(second);
    expect(await revokeTokens('/sessions/no-such-sid')).toEqual({
      status: 200,
      body: { revoked_grants: 0 },
    });
  });

  it("deleting a user kills the user's tokens before it answers; the refresh token no longer refreshes", async () => {
    const dave = await signIn('rp-b', 'dave');
    const carol = await signIn('rp-b', 'carol');
    await expectAlive(dave);
    expect((await admin('DELETE', '/users/dave')).status).toBe(204);
    await expectDead(dave);
    await expect(
      oidc.refreshTokenGrant(dave.client, dave.tokens.refresh_token!),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
    await expectAlive(carol);
    const refreshed = await oidc.refreshTokenGrant(carol.client, carol.tokens.refresh_token!);
    expect(refreshed.access_token).toBeDefined();
  });
});
