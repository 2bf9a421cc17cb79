import { READ_MODEL_CACHE, type ReadModelCache } from '@idp/cache';
import { SessionEnded, SessionStarted, type DomainEvent, freshEventMeta } from '@idp/contracts';
import { decodeRecord, REVOKED, sessionStream } from '@idp/domain';
import { oauthErrorOf, startAdminHarness, type AdminHarness } from '../admin/admin.fixtures';
import { ClientRegistry } from '../clients/client-registry.service';
import { AuthorizeService } from '../grants/authorize.service';
import { TokenEndpoint } from '../grants/token-endpoint.service';
import { IntrospectionService } from '../introspection/introspection.service';
import {
  basic,
  CLIENT_SECRET,
  codeFlowTokens,
  refreshTokens,
  webClient,
} from '../revocation/revocation.fixtures';
import { UserDirectory } from '../users/user-directory.service';
import { UserinfoService } from '../userinfo/userinfo.service';
import { LogoutModule } from './logout.module';
import { SessionEventsConsumer } from './session-events.consumer';
import { SessionGrants } from './session-grants.service';

jest.setTimeout(60_000);

const OFFLINE = ['openid', 'offline_access'];

/**
 * What the end of an SSO session does to its tokens, over a real SQLite
 * event store: every grant of the sid revoked (reason session_ended) with its
 * tombstone written, offline_access grants spared only under
 * LOGOUT_OFFLINE_GRANTS=keep; the session.ended consumer does the same.
 */
describe.each(['revoke', 'keep'] as const)('SessionGrants (LOGOUT_OFFLINE_GRANTS=%s)', (policy) => {
  let h: AdminHarness;
  let n = 0;
  const sid = () => `sid-${policy}-${++n}`;

  beforeAll(async () => {
    h = await startAdminHarness({ LOGOUT_OFFLINE_GRANTS: policy }, [LogoutModule]);
    await h.app
      .get(UserDirectory)
      .create({ sub: 'u1', username: 'u1', password: 'pw', claims: {} });
    await h.app
      .get(ClientRegistry)
      .register(
        webClient('rp', { scope: 'openid offline_access' }) as never,
        'admin',
        CLIENT_SECRET,
      );
  });
  afterAll(() => h.close());

  const issue = (s: string, scope?: string[]) =>
    codeFlowTokens(h.app, 'rp', { sub: 'u1', sid: s }, basic('rp'), scope);
  const cached = async (token: string) => {
    const { key } = await h.app.get(IntrospectionService).introspect(token);
    return decodeRecord(await h.app.get<ReadModelCache>(READ_MODEL_CACHE).get(key!));
  };
  async function expectRevoked(t: Awaited<ReturnType<typeof issue>>) {
    expect(await cached(t.access_token)).toEqual(REVOKED);
    expect(await oauthErrorOf(h.app.get(UserinfoService).userinfo(t.access_token))).toMatchObject({
      error: 'invalid_token',
    });
    expect(await oauthErrorOf(refreshTokens(h.app, 'rp', t.refresh_token!))).toMatchObject({
      error: 'invalid_grant',
    });
  }

  it('revokes the online grants of the session and no other session', async () => {
    const [mine, theirs] = [sid(), sid()];
    const t = await issue(mine);
    const other = await issue(theirs);
    expect(await h.app.get(SessionGrants).revokeEnded(mine)).toBe(1);
    await expectRevoked(t);
    await expect(h.app.get(UserinfoService).userinfo(other.access_token)).resolves.toBeDefined();
  });

  it(
    policy === 'keep'
      ? 'keeps offline_access grants, which keep refreshing'
      : 'revokes offline_access grants too',
    async () => {
      const s = sid();
      const offline = await issue(s, OFFLINE);
      const online = await issue(s);
      expect(await h.app.get(SessionGrants).revokeEnded(s)).toBe(policy === 'keep' ? 1 : 2);
      await expectRevoked(online);
      if (policy === 'keep') {
        const refreshed = await refreshTokens(h.app, 'rp', offline.refresh_token!);
        expect(refreshed.access_token).toBeDefined();
      } else {
        await expectRevoked(offline);
      }
    },
  );

  it('revokes an unredeemed code of the session whatever the policy', async () => {
    const s = sid();
    const { code } = await h.app.get(AuthorizeService).authorize({
      clientId: 'rp',
      sub: 'u1',
      sid: s,
      authTime: Math.floor(Date.now() / 1000),
      amr: ['pwd'],
      scope: OFFLINE,
      redirectUri: 'https://rp.example/cb',
      redirectUriSupplied: true,
      responseType: 'code',
    });
    expect(await h.app.get(SessionGrants).revokeEnded(s)).toBe(1);
    const redeemed = h.app.get(TokenEndpoint).handle({
      params: {
        grant_type: 'authorization_code',
        code: code!,
        redirect_uri: 'https://rp.example/cb',
      },
      clientAuth: basic('rp'),
      endpoint: 'https://idp.example/token',
    });
    expect(await oauthErrorOf(redeemed)).toMatchObject({ error: 'invalid_grant' });
  });

  it('a session ended by refresh-token reuse spares no offline grant, and its revocations name the end as their cause (ADR 0038)', async () => {
    const s = sid();
    const offline = await issue(s, OFFLINE);
    const ended = {
      ...SessionEnded.create(
        { sid: s, sub: 'u1', reason: 'refresh_token_reuse', clientIds: ['rp'] },
        freshEventMeta('corr-theft'),
      ),
      stream: sessionStream(s),
      streamVersion: 3,
    } as unknown as DomainEvent;
    await h.app.get(SessionEventsConsumer).onSessionEvent(ended);
    await expectRevoked(offline);
    const revoked = (await h.store.readAll('0', 100_000)).filter(
      (e) => e.type === 'grant.revoked' && (e.data as { sid?: string }).sid === s,
    );
    expect(revoked).toHaveLength(1);
    expect(revoked[0]).toMatchObject({ causationId: ended.id, correlationId: 'corr-theft' });
  });

  it('the session.ended consumer revokes them, and ignores other session events', async () => {
    const s = sid();
    const t = await issue(s);
    const consumer = h.app.get(SessionEventsConsumer);
    const envelope = (e: { type: string; data: unknown }) =>
      ({ ...e, stream: sessionStream(s), streamVersion: 1 }) as unknown as DomainEvent;
    await consumer.onSessionEvent(
      envelope(
        SessionStarted.create(
          { sid: s, sub: 'u1', authTime: 1, amr: [], idleExpiresAt: 2, absoluteExpiresAt: 3 },
          freshEventMeta('c'),
        ),
      ),
    );
    await expect(h.app.get(UserinfoService).userinfo(t.access_token)).resolves.toBeDefined();
    const ended = envelope(
      SessionEnded.create(
        { sid: s, sub: 'u1', reason: 'rp_logout', clientIds: ['rp'] },
        freshEventMeta('c'),
      ),
    );
    await consumer.onSessionEvent(ended);
    await consumer.onSessionEvent(ended); // redelivery is harmless
    await expectRevoked(t);
  });
});
