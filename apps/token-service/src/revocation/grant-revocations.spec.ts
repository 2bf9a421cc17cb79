import { READ_MODEL_CACHE, type ReadModelCache } from '@idp/cache';
import { AccessTokenIssued, uuidv7, freshEventMeta } from '@idp/contracts';
import { DUMMY_PASSWORD_HASH } from '@idp/crypto';
import { decodeRecord, REVOKED, grantStream } from '@idp/domain';
import { STREAMS_WHERE_MAX } from '@idp/eventstore';
import { startAdminHarness, oauthErrorOf, type AdminHarness } from '../admin/admin.fixtures';
import { ClientAdmin } from '../admin/client-admin.service';
import { ClientRegistrations } from '../admin/client-registrations.service';
import { UserAdmin } from '../admin/user-admin.service';
import { ClientRegistry } from '../clients/client-registry.service';
import { AuthorizeService } from '../grants/authorize.service';
import { TokenEndpoint } from '../grants/token-endpoint.service';
import { IntrospectionService } from '../introspection/introspection.service';
import { UserDirectory } from '../users/user-directory.service';
import { UserinfoService } from '../userinfo/userinfo.service';
import { GrantRevocations } from './grant-revocations.service';
import {
  basic,
  CLIENT_SECRET,
  codeFlowTokens,
  REDIRECT_URI,
  refreshTokens,
  webClient,
  type Subject,
} from './revocation.fixtures';

jest.setTimeout(60_000);

type Tokens = Awaited<ReturnType<typeof codeFlowTokens>> & { clientId: string };

/**
 * Revoking every grant of a user, a client or a session, and the cascades of
 * user and client deletion, over a real SQLite event store and the in-memory
 * read-model cache: each revoked token must be refused by /userinfo (the
 * event store) and have its tombstone in the cache (what introspection reads).
 */
describe('GrantRevocations and the deletion cascades', () => {
  let h: AdminHarness;
  let grants: GrantRevocations;
  let cache: ReadModelCache;
  let n = 0;
  const unique = (prefix: string) => `${prefix}-${++n}`;

  const issue = async (clientId: string, subject: Subject): Promise<Tokens> => ({
    ...(await codeFlowTokens(h.app, clientId, subject)),
    clientId,
  });
  const cached = async (token: string) => {
    const { key } = await h.app.get(IntrospectionService).introspect(token);
    return decodeRecord(await cache.get(key!));
  };
  const dropCached = async (token: string) => {
    const { key } = await h.app.get(IntrospectionService).introspect(token);
    await cache.delete(key!);
  };
  async function expectRevoked(t: Tokens): Promise<void> {
    expect(await cached(t.access_token)).toEqual(REVOKED);
    expect(await cached(t.refresh_token!)).toEqual(REVOKED);
    expect(await oauthErrorOf(h.app.get(UserinfoService).userinfo(t.access_token))).toMatchObject({
      error: 'invalid_token',
    });
    expect(await oauthErrorOf(refreshTokens(h.app, t.clientId, t.refresh_token!))).toMatchObject({
      error: 'invalid_grant',
    });
  }
  async function expectUsable(t: Tokens): Promise<void> {
    expect(await cached(t.access_token)).toBeUndefined();
    await expect(h.app.get(UserinfoService).userinfo(t.access_token)).resolves.toBeDefined();
  }
  /** The revocation reasons recorded in the grants of the token's client. */
  async function reasonsOf(t: Tokens): Promise<string[]> {
    const streams = await h.store.streamsWhere({
      streamPrefix: 'grant-',
      field: 'clientId',
      value: t.clientId,
    });
    const events = (await Promise.all(streams.map((s) => h.store.readStream(s)))).flat();
    return events
      .filter((e) => e.type === 'grant.revoked')
      .map((e) => (e.data as { reason: string }).reason);
  }
  const client = async (over: Record<string, unknown> = {}) => {
    const clientId = unique('rp');
    await h.app
      .get(ClientRegistry)
      .register(webClient(clientId, over) as never, 'admin', CLIENT_SECRET);
    return clientId;
  };
  // Nobody signs in here, so the users get a stored hash: hashing a password
  // is a full-cost scrypt (~0.4 s of CPU each), a third of this file's time.
  const user = async () => {
    const sub = unique('user');
    const passwordHash = DUMMY_PASSWORD_HASH;
    await h.app.get(UserDirectory).create({ sub, username: sub, passwordHash, claims: {} });
    return sub;
  };

  beforeAll(async () => {
    h = await startAdminHarness();
    grants = h.app.get(GrantRevocations);
    cache = h.app.get<ReadModelCache>(READ_MODEL_CACHE);
  });
  afterAll(() => h.close());

  it("revokes all of a user's grants across clients and formats, and nobody else's", async () => {
    const [web, jwt] = [await client(), await client({ access_token_format: 'jwt' })];
    const [alice, bob] = [await user(), await user()];
    const mine = [
      await issue(web, { sub: alice, sid: 's-a1' }),
      await issue(web, { sub: alice, sid: 's-a2' }),
      await issue(jwt, { sub: alice, sid: 's-a2' }),
    ];
    const theirs = await issue(web, { sub: bob, sid: 's-b1' });

    expect(await grants.revokeGrantsOf({ sub: alice }, 'admin')).toBe(3);
    for (const t of mine) await expectRevoked(t);
    await expectUsable(theirs);
  });

  it('is idempotent: a second call revokes nothing but writes the tombstones again', async () => {
    const web = await client();
    const sub = await user();
    const t = await issue(web, { sub, sid: unique('sid') });
    expect(await grants.revokeGrantsOf({ sub }, 'admin')).toBe(1);
    await dropCached(t.access_token);
    await dropCached(t.refresh_token!);
    expect(await grants.revokeGrantsOf({ sub }, 'admin')).toBe(0);
    await expectRevoked(t);
  });

  it("revokes a client's grants of every user, and a session's grants of every client", async () => {
    const [a, b] = [await client(), await client()];
    const [u1, u2] = [await user(), await user()];
    const [sid1, sid2] = [unique('sid'), unique('sid')];
    const ofA = [await issue(a, { sub: u1, sid: sid1 }), await issue(a, { sub: u2, sid: sid2 })];
    const ofB1 = await issue(b, { sub: u1, sid: sid1 });
    const ofB2 = await issue(b, { sub: u2, sid: sid2 });

    expect(await grants.revokeGrantsOf({ clientId: a }, 'admin')).toBe(2);
    for (const t of ofA) await expectRevoked(t);
    await expectUsable(ofB1);

    expect(await grants.revokeGrantsOf({ sid: sid1 }, 'session_ended')).toBe(1);
    await expectRevoked(ofB1);
    await expectUsable(ofB2);
    expect(await grants.revokeGrantsOf({ sid: 'no-such-session' }, 'admin')).toBe(0);
  });

  it('answers 503 when a tombstone write fails, and a retry completes the propagation', async () => {
    const web = await client();
    const sub = await user();
    const all = [];
    for (let i = 0; i < 10; i++) all.push(await issue(web, { sub, sid: unique('sid') }));
    const spy = jest.spyOn(cache, 'setMany').mockRejectedValueOnce(new Error('ECONNREFUSED'));
    expect(await oauthErrorOf(grants.revokeGrantsOf({ sub }, 'admin'))).toMatchObject({
      error: 'temporarily_unavailable',
      status: 503,
    });
    spy.mockRestore();
    // Some grants were revoked by the failed call; the retry revokes the rest.
    expect(await grants.revokeGrantsOf({ sub }, 'admin')).toBeLessThan(10);
    for (const t of all) await expectRevoked(t);
  });

  it(`finds more grants than one page (${STREAMS_WHERE_MAX}) of the event store query`, async () => {
    const sub = await user();
    const clientId = await client();
    const now = Math.floor(Date.now() / 1000);
    const total = STREAMS_WHERE_MAX + 3;
    for (let i = 0; i < total; i++) {
      const grantId = uuidv7();
      await h.store.append(grantStream(grantId), 0, [
        AccessTokenIssued.create(
          {
            grantId,
            jti: uuidv7(),
            format: 'jwt',
            clientId,
            sub,
            scope: 'openid',
            aud: [clientId],
            iat: now,
            exp: now + 600,
            extraClaims: {},
          },
          freshEventMeta('c'),
        ),
      ]);
    }
    expect(await grants.revokeGrantsOf({ sub }, 'admin')).toBe(total);
    expect(await grants.revokeGrantsOf({ sub }, 'admin')).toBe(0);
  });

  describe('deletion cascades', () => {
    it("deleting a user revokes the user's grants (user_deleted) before it answers", async () => {
      const web = await client();
      const [gone, stays] = [await user(), await user()];
      const t = await issue(web, { sub: gone, sid: unique('sid') });
      const other = await issue(web, { sub: stays, sid: unique('sid') });
      await h.app.get(UserAdmin).delete(gone);
      await expectRevoked(t);
      await expectUsable(other);
      expect(await reasonsOf(t)).toEqual(['user_deleted']);
      // A repeated delete is still 404, but finishes a revocation a 503 interrupted.
      await dropCached(t.access_token);
      expect(await oauthErrorOf(h.app.get(UserAdmin).delete(gone))).toMatchObject({ status: 404 });
      expect(await cached(t.access_token)).toEqual(REVOKED);
    });

    it('a deleted user gets nothing more: no code from a live session, no tokens for an old code', async () => {
      const web = await client();
      const gone = await user();
      const request = {
        clientId: web,
        sub: gone,
        sid: unique('sid'),
        authTime: Math.floor(Date.now() / 1000),
        amr: ['pwd'],
        scope: ['openid'],
        redirectUri: REDIRECT_URI,
        redirectUriSupplied: true,
        responseType: 'code',
      };
      // A code issued just before the deletion, redeemed just after it.
      const { code } = await h.app.get(AuthorizeService).authorize(request);
      await h.app.get(UserAdmin).delete(gone);
      const redeem = h.app.get(TokenEndpoint).handle({
        params: { grant_type: 'authorization_code', code: code!, redirect_uri: REDIRECT_URI },
        clientAuth: basic(web),
        endpoint: 'http://localhost:3000/token',
      });
      // Refused for the subject, before the grant's own state (revoked by the cascade) is read.
      expect(await oauthErrorOf(redeem)).toMatchObject({
        error: 'invalid_grant',
        description: 'the end-user account no longer exists',
      });
      // The browser's SSO session outlived the account: it must sign in again.
      expect(await oauthErrorOf(h.app.get(AuthorizeService).authorize(request))).toMatchObject({
        error: 'login_required',
      });
    });

    it('deleting a client (admin API or RFC 7592) revokes its grants (client_deleted)', async () => {
      const sub = await user();
      const byAdmin = await client();
      const t = await issue(byAdmin, { sub, sid: unique('sid') });
      await h.app.get(ClientAdmin).delete(byAdmin);
      await expectRevokedAfterClientDeletion(t);
      expect(await reasonsOf(t)).toEqual(['client_deleted']);

      const registrations = h.app.get(ClientRegistrations);
      const info = await registrations.register({
        redirect_uris: ['https://rp.example/cb'],
        grant_types: ['authorization_code', 'refresh_token'],
      });
      const selfRegistered = await codeFlowTokens(
        h.app,
        info.metadata['client_id'] as string,
        {
          sub,
          sid: unique('sid'),
        },
        {
          method: 'client_secret_basic',
          clientId: info.metadata['client_id'] as string,
          secret: info.client_secret!,
        },
      );
      await registrations.delete(
        info.metadata['client_id'] as string,
        info.registration_access_token!,
      );
      expect(await cached(selfRegistered.access_token)).toEqual(REVOKED);
      expect(await cached(selfRegistered.refresh_token!)).toEqual(REVOKED);
    });

    async function expectRevokedAfterClientDeletion(t: Tokens): Promise<void> {
      expect(await cached(t.access_token)).toEqual(REVOKED);
      expect(await cached(t.refresh_token!)).toEqual(REVOKED);
      expect(await oauthErrorOf(h.app.get(UserinfoService).userinfo(t.access_token))).toMatchObject(
        { error: 'invalid_token' },
      );
    }

    it('revoke-tokens: 404 for an unknown user or client, 0 for an unknown session', async () => {
      expect(await oauthErrorOf(h.app.get(UserAdmin).revokeTokens('nobody'))).toMatchObject({
        status: 404,
      });
      expect(await oauthErrorOf(h.app.get(ClientAdmin).revokeTokens('nothing'))).toMatchObject({
        status: 404,
      });
      expect(await h.app.get(UserAdmin).revokeSessionTokens('no-sid')).toEqual({
        revoked_grants: 0,
      });
      const web = await client();
      const sub = await user();
      const sid = unique('sid');
      await issue(web, { sub, sid });
      expect(await h.app.get(UserAdmin).revokeSessionTokens(sid)).toEqual({ revoked_grants: 1 });
      await issue(web, { sub, sid: unique('sid') });
      expect(await h.app.get(UserAdmin).revokeTokens(sub)).toEqual({ revoked_grants: 1 });
      await issue(web, { sub, sid: unique('sid') });
      expect(await h.app.get(ClientAdmin).revokeTokens(web)).toEqual({ revoked_grants: 1 });
    });
  });
});
