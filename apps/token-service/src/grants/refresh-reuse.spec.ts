import { READ_MODEL_CACHE, type ReadModelCache } from '@idp/cache';
import type { StoredEvent } from '@idp/eventstore';
import { decodeRecord, REVOKED } from '@idp/domain';
import { startAdminHarness, oauthErrorOf, type AdminHarness } from '../admin/admin.fixtures';
import { ClientRegistry } from '../clients/client-registry.service';
import { IntrospectionService } from '../introspection/introspection.service';
import { basic, CLIENT_SECRET, codeFlowTokens, webClient } from '../revocation/revocation.fixtures';
import { TokenSecrets } from '../secrets/token-secrets';
import { UserDirectory } from '../users/user-directory.service';
import { UserinfoService } from '../userinfo/userinfo.service';
import { TokenEndpoint } from './token-endpoint.service';

jest.setTimeout(60_000);

type Tokens = Awaited<ReturnType<typeof codeFlowTokens>>;

/**
 * Refresh-token reuse answered per the client's response (ADR 0038), inside
 * token-service over a real SQLite event store and the in-memory read model:
 * what is revoked and tombstoned before /token answers, and the events that
 * record it. (Ending the session itself is session-service's, from the event.)
 */
describe('refresh-token reuse (REFRESH_REUSE_RESPONSE unset)', () => {
  let h: AdminHarness;
  let n = 0;
  const sid = () => `sid-reuse-${++n}`;

  const refresh = (clientId: string, token: string, clientIp?: string) =>
    h.app.get(TokenEndpoint).handle({
      params: { grant_type: 'refresh_token', refresh_token: token },
      clientAuth: basic(clientId),
      endpoint: 'http://localhost:3000/token',
      ...(clientIp === undefined ? {} : { clientIp }),
    });
  const signIn = (clientId: string, s: string) =>
    codeFlowTokens(h.app, clientId, { sub: 'u1', sid: s }, basic(clientId), ['openid']);
  /** Every event appended by `run`. */
  async function eventsOf(run: () => Promise<unknown>): Promise<StoredEvent[]> {
    const all = () => h.store.readAll('0', 100_000);
    const before = (await all()).length;
    await run().catch(() => undefined);
    return (await all()).slice(before);
  }

  const cachedRecord = async (token: string) => {
    const { key } = await h.app.get(IntrospectionService).introspect(token);
    return decodeRecord(await h.app.get<ReadModelCache>(READ_MODEL_CACHE).get(key!));
  };
  async function expectDead(t: Tokens, clientId: string) {
    expect(await cachedRecord(t.access_token)).toEqual(REVOKED);
    expect(await cachedRecord(t.refresh_token!)).toEqual(REVOKED);
    expect(await oauthErrorOf(h.app.get(UserinfoService).userinfo(t.access_token))).toMatchObject({
      error: 'invalid_token',
    });
    expect(await oauthErrorOf(refresh(clientId, t.refresh_token!))).toMatchObject({
      error: 'invalid_grant',
    });
  }
  async function expectAlive(t: Tokens) {
    expect((await h.app.get(IntrospectionService).introspect(t.access_token)).record).toMatchObject(
      { active: true },
    );
    await expect(h.app.get(UserinfoService).userinfo(t.access_token)).resolves.toBeDefined();
  }

  beforeAll(async () => {
    h = await startAdminHarness();
    await h.app
      .get(UserDirectory)
      .create({ sub: 'u1', username: 'u1', password: 'pw', claims: {} });
    const registry = h.app.get(ClientRegistry);
    const register = (id: string, over: Record<string, unknown> = {}) =>
      registry.register(webClient(id, over) as never, 'admin', CLIENT_SECRET);
    await register('rp-end', { refresh_reuse_response: 'end_session' });
    await register('rp-b');
    await register('rp-revoke');
  });
  afterAll(() => h.close());

  it('end_session: every grant of the session is revoked and tombstoned before invalid_grant; other sessions are not', async () => {
    const s = sid();
    const a = await signIn('rp-end', s);
    const b = await signIn('rp-b', s);
    const elsewhere = await signIn('rp-b', sid());
    const rotated = await refresh('rp-end', a.refresh_token!);

    const events = await eventsOf(async () => {
      expect(await oauthErrorOf(refresh('rp-end', a.refresh_token!, '198.51.100.23'))).toEqual({
        error: 'invalid_grant',
        status: 400,
        description: 'refresh token has already been used',
        headers: undefined,
      });
    });

    // No wait for any projection: the tombstones were written before the answer.
    await expectDead(rotated, 'rp-end');
    await expectDead(b, 'rp-b');
    expect(await cachedRecord(a.access_token)).toEqual(REVOKED);
    await expectAlive(elsewhere);

    // One chain: the reuse record, the grant's revocation, the session's other grant.
    const [detected, ...rest] = events;
    expect(detected).toMatchObject({
      type: 'grant.reuse_detected',
      data: {
        clientId: 'rp-end',
        sid: s,
        presentedTokenHash: h.app.get(TokenSecrets).tokenHash(a.refresh_token!),
        ip: '198.51.100.23',
        policy: 'end_session',
        response: 'end_session',
      },
    });
    expect(rest.map((e) => [e.type, e.data])).toEqual([
      [
        'grant.revoked',
        expect.objectContaining({ clientId: 'rp-end', reason: 'refresh_token_reuse' }),
      ],
      [
        'grant.revoked',
        expect.objectContaining({ clientId: 'rp-b', sid: s, reason: 'session_ended' }),
      ],
    ]);
    for (const e of rest) {
      expect(e.causationId).toBe(detected!.id);
      expect(e.correlationId).toBe(detected!.correlationId);
    }
    // The presented token is named by its keyed hash only: never in clear in the store.
    expect(JSON.stringify(events)).not.toContain(a.refresh_token!);
  });

  it('revoke_grant (a confidential client by default): the grant only; the session and its other grants stay', async () => {
    const s = sid();
    const a = await signIn('rp-revoke', s);
    const b = await signIn('rp-b', s);
    await refresh('rp-revoke', a.refresh_token!);
    const events = await eventsOf(() => refresh('rp-revoke', a.refresh_token!));
    expect(events.map((e) => e.type)).toEqual(['grant.reuse_detected', 'grant.revoked']);
    expect(events[0]!.data).toMatchObject({ policy: 'revoke_grant', response: 'revoke_grant' });
    expect(events[0]!.data).not.toHaveProperty('ip');
    await expectAlive(b);
    expect((await refresh('rp-b', b.refresh_token!)).access_token).toBeDefined();
  });

  it('another client presenting a rotated-away token gets invalid_grant and revokes nothing', async () => {
    const s = sid();
    const a = await signIn('rp-end', s);
    const rotated = await refresh('rp-end', a.refresh_token!);
    const events = await eventsOf(async () => {
      expect(await oauthErrorOf(refresh('rp-b', a.refresh_token!))).toMatchObject({
        error: 'invalid_grant',
        description: 'refresh token is invalid',
      });
    });
    expect(events).toEqual([]);
    await expectAlive(rotated);
  });

  it('two refreshes racing with one token: exactly one wins, the other is reuse and ends the session', async () => {
    const s = sid();
    const a = await signIn('rp-end', s);
    const b = await signIn('rp-b', s);
    const results = await Promise.allSettled([
      refresh('rp-end', a.refresh_token!),
      refresh('rp-end', a.refresh_token!),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(await oauthErrorOf(Promise.reject(lost[0]!.reason))).toMatchObject({
      error: 'invalid_grant',
      description: 'refresh token has already been used',
    });
    // Theft is assumed whoever won: the winner's fresh tokens go with the session.
    await expectDead((won[0] as PromiseFulfilledResult<Tokens>).value, 'rp-end');
    await expectDead(b, 'rp-b');
  });
});

const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';

/**
 * A public client (token_endpoint_auth_method none) through the real handler:
 * end_session by default, and REFRESH_REUSE_RESPONSE for every client that
 * did not choose, which the client's own metadata overrides.
 */
describe.each([
  [undefined, 'end_session', 'revoke_grant'],
  ['revoke_grant', 'revoke_grant', 'revoke_grant'],
  ['end_session', 'end_session', 'end_session'],
] as const)(
  'refresh-token reuse with REFRESH_REUSE_RESPONSE=%s',
  (setting, publicResponse, confidentialResponse) => {
    let h: AdminHarness;
    let n = 0;
    const endpoint = 'http://localhost:3000/token';

    beforeAll(async () => {
      h = await startAdminHarness(setting === undefined ? {} : { REFRESH_REUSE_RESPONSE: setting });
      await h.app
        .get(UserDirectory)
        .create({ sub: 'u1', username: 'u1', password: 'pw', claims: {} });
      const registry = h.app.get(ClientRegistry);
      await registry.register(
        webClient('spa', { token_endpoint_auth_method: 'none' }) as never,
        'admin',
        undefined,
      );
      await registry.register(webClient('web') as never, 'admin', CLIENT_SECRET);
      // Its own choice wins over any setting.
      await registry.register(
        webClient('spa-keeps', {
          token_endpoint_auth_method: 'none',
          refresh_reuse_response: 'revoke_grant',
        }) as never,
        'admin',
        undefined,
      );
    });
    afterAll(() => h.close());

    const auth = (clientId: string) =>
      clientId === 'web' ? basic(clientId) : { method: 'none' as const, clientId };
    const signIn = (clientId: string) =>
      codeFlowTokens(
        h.app,
        clientId,
        { sub: 'u1', sid: `sid-${setting}-${++n}` },
        auth(clientId),
        ['openid'],
        VERIFIER,
      );
    const refresh = (clientId: string, token: string) =>
      h.app.get(TokenEndpoint).handle({
        params: { grant_type: 'refresh_token', refresh_token: token },
        clientAuth: auth(clientId),
        endpoint,
      });
    async function responseTo(clientId: string): Promise<unknown> {
      const first = await signIn(clientId);
      await refresh(clientId, first.refresh_token!);
      const before = (await h.store.readAll('0', 100_000)).length;
      expect(await oauthErrorOf(refresh(clientId, first.refresh_token!))).toMatchObject({
        error: 'invalid_grant',
        description: 'refresh token has already been used',
      });
      const detected = (await h.store.readAll('0', 100_000))
        .slice(before)
        .find((e) => e.type === 'grant.reuse_detected');
      return (detected?.data as { response?: string } | undefined)?.response;
    }

    it(`a public client: ${publicResponse}`, async () => {
      expect(await responseTo('spa')).toBe(publicResponse);
    });
    it(`a confidential client: ${confidentialResponse}`, async () => {
      expect(await responseTo('web')).toBe(confidentialResponse);
    });
    it("a client's own refresh_reuse_response: always", async () => {
      expect(await responseTo('spa-keeps')).toBe('revoke_grant');
    });
  },
);
