import { SSF_DELIVERY_PUSH, SSF_EVENT_TYPES } from '@idp/contracts';
import type { EventStore, StoredEvent } from '@idp/eventstore';
import { introspect } from '../introspection/introspection.fixtures';
import { LogoutReceivers } from '../logout/backchannel.support';
import {
  ADMIN_TOKEN,
  adminSessionView,
  bearer,
  RP,
  signIn,
  silentAuthorizeError,
  writeLogoutSeed,
  type Rp,
} from '../logout/logout.fixtures';
import { CookieBrowser } from '../oidc/browser';
import { SetReceivers, type ReceivedSet } from '../shared-signals/set-receivers';
import { ALICE, REDIRECT_URI } from '../oidc/seed';
import { discover, rpFor, type ServerMetadata } from '../support/rp';
import { freePort, waitFor } from '../support/service-process';
import { INITIAL_ACCESS_TOKEN, refreshAs, REUSE_METADATA } from './reuse.fixtures';

jest.setTimeout(90_000);

export interface RunningProvider {
  /** Every place /introspect is served: each introspection-service replica, or the embedded port. */
  readonly introspectionUrls: readonly string[];
  readonly adminUrl: string;
  /** The event store the provider writes (SQLite file or PostgreSQL schema), for reading. */
  readonly events: EventStore;
  stop(): Promise<void>;
}
export type StartProvider = (opts: {
  port: number;
  issuer: string;
  seedFile: string;
  env: Record<string, string>;
}) => Promise<RunningProvider>;

interface Session {
  readonly browser: CookieBrowser;
  readonly sid: string;
  readonly tokens: Map<string, { access_token: string; refresh_token: string }>;
}

/**
 * Refresh-token reuse answered as theft (issue #19 part 3, ADR 0038), end to
 * end: two RPs signed in through one SSO session, A's refresh token rotated
 * and the old one presented again. With A's `end_session` response /token
 * answers invalid_grant only once every token of the session (A's and B's)
 * is inactive at every introspection replica and at /userinfo; both RPs get
 * a valid back-channel logout token; the event store holds one causal
 * chain. With `revoke_grant` only A's grant goes.
 */
export function reuseSuite(mode: string, start: StartProvider): void {
  describe(`refresh-token reuse answered as theft (${mode})`, () => {
    let base = '';
    let provider: RunningProvider | undefined;
    let issuer: ServerMetadata;
    const receivers = new LogoutReceivers(() => base, ALICE.sub);

    beforeAll(async () => {
      await receivers.listen();
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      provider = await start({
        port,
        issuer: base,
        seedFile: writeLogoutSeed((clientId) => receivers.uriOf(clientId), REUSE_METADATA),
        env: { ADMIN_TOKEN, INITIAL_ACCESS_TOKEN },
      });
      issuer = await discover(base);
    }, 180_000);
    afterAll(async () => {
      await provider?.stop();
      await receivers.close();
    });

    const client = (rp: Rp) =>
      rpFor(issuer, { client_id: rp.id, client_secret: rp.secret, redirect_uris: [REDIRECT_URI] });
    /** One browser, one SSO session, each RP signed in through it. */
    async function signedIn(rps: readonly Rp[]): Promise<Session> {
      const browser = new CookieBrowser();
      const tokens = new Map<string, { access_token: string; refresh_token: string }>();
      let sid = '';
      for (const rp of rps) {
        const t = await signIn(browser, base, client(rp));
        sid = t.claims().sid as string;
        tokens.set(rp.id, { access_token: t.access_token, refresh_token: t.refresh_token! });
      }
      await waitFor(`clients joined session ${sid}`, async () => {
        const view = await adminSession(sid);
        return view !== undefined && rps.every((rp) => view.clientIds.includes(rp.id));
      });
      return { browser, sid, tokens };
    }
    const adminSession = (sid: string) => adminSessionView(provider!.adminUrl, sid);
    /** Whether `token` introspects active, asserting every replica answers alike. */
    async function activeEverywhere(rp: Rp, token: string): Promise<boolean> {
      const answers = await Promise.all(
        provider!.introspectionUrls.map(async (url) => {
          const res = await introspect(url, token, rp);
          expect(res.status).toBe(200);
          return res.body['active'];
        }),
      );
      expect(new Set(answers).size).toBe(1);
      return answers[0] === true;
    }
    const userinfoStatus = async (token: string) =>
      (await fetch(`${base}/userinfo`, { headers: bearer(token) })).status;
    async function expectInactive(rp: Rp, t: { access_token: string; refresh_token: string }) {
      expect(await activeEverywhere(rp, t.access_token)).toBe(false);
      expect(await activeEverywhere(rp, t.refresh_token)).toBe(false);
      expect(await userinfoStatus(t.access_token)).toBe(401);
    }
    async function expectActive(rp: Rp, t: { access_token: string; refresh_token: string }) {
      expect(await activeEverywhere(rp, t.access_token)).toBe(true);
      expect(await activeEverywhere(rp, t.refresh_token)).toBe(true);
      expect(await userinfoStatus(t.access_token)).toBe(200);
    }
    const allEvents = () => provider!.events.readAll('0', 1_000_000);
    const usedAgain = {
      error: 'invalid_grant',
      error_description: 'refresh token has already been used',
    };

    it('end_session: invalid_grant only after every token of the session is dead everywhere; both RPs get back-channel logout; one causal chain in the store', async () => {
      const { browser, sid, tokens } = await signedIn([RP.a, RP.b]);
      const a0 = tokens.get(RP.a.id)!;
      const b = tokens.get(RP.b.id)!;
      for (const [rp, t] of [
        [RP.a, a0],
        [RP.b, b],
      ] as const)
        await expectActive(rp, t);

      const rotated = await refreshAs(base, RP.a, a0.refresh_token);
      expect(rotated.status).toBe(200);
      const a1 = rotated.body as { access_token: string; refresh_token: string };
      await expectActive(RP.a, a1);

      const reused = await refreshAs(base, RP.a, a0.refresh_token);
      expect(reused).toEqual({ status: 400, body: usedAgain });

      // No waiting: /token answered after the revocations and their tombstones.
      for (const [rp, t] of [
        [RP.a, a0],
        [RP.a, a1],
        [RP.b, b],
      ] as const) {
        expect(await activeEverywhere(rp, t.access_token)).toBe(false);
        expect(await userinfoStatus(t.access_token)).toBe(401);
      }
      await expectInactive(RP.a, a1);
      await expectInactive(RP.b, b);
      expect((await refreshAs(base, RP.b, b.refresh_token)).status).toBe(400);

      // The session ends from the reuse event (session-service), with back-channel logout to both.
      await waitFor(`session ${sid} ended`, async () => (await adminSession(sid)) === undefined);
      await receivers.waitDelivered([RP.a.id, RP.b.id]);
      for (const rp of [RP.a, RP.b])
        expect(receivers.deliveredTo(rp.id).map((r) => r.sid)).toContain(sid);
      expect(receivers.problems).toEqual([]);
      // The browser's SSO session is gone too: a silent sign-in needs a login.
      expect(await silentAuthorizeError(browser, base, client(RP.b))).toBe('login_required');

      // The chain: grant.reuse_detected → grant.revoked (A) → grant.revoked (B) → session.ended
      // → back-channel scheduling, one correlation id, each naming its cause.
      let chain: StoredEvent[] = [];
      let detected: StoredEvent | undefined;
      await waitFor('the whole chain in the event store', async () => {
        const events = await allEvents();
        detected = events.find(
          (e) => e.type === 'grant.reuse_detected' && (e.data as { sid?: string }).sid === sid,
        );
        if (detected === undefined) return false;
        chain = events.filter((e) => e.correlationId === detected!.correlationId);
        return chain.some((e) => e.type === 'session.backchannel_logout_scheduled');
      });
      expect(detected!.data).toEqual({
        grantId: expect.any(String),
        clientId: RP.a.id,
        sub: ALICE.sub,
        sid,
        presentedTokenHash: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        ip: '127.0.0.1',
        policy: 'end_session',
        response: 'end_session',
      });
      expect(JSON.stringify(await allEvents())).not.toContain(a0.refresh_token);
      const caused = (type: string, by: StoredEvent) =>
        chain.filter((e) => e.type === type && e.causationId === by.id);
      const revocations = caused('grant.revoked', detected!);
      expect(
        revocations
          .map((e) => [
            (e.data as { clientId: string }).clientId,
            (e.data as { reason: string }).reason,
          ])
          .sort(),
      ).toEqual([
        [RP.a.id, 'refresh_token_reuse'],
        [RP.b.id, 'session_ended'],
      ]);
      const [ended] = caused('session.ended', detected!);
      expect(ended?.data).toMatchObject({ sid, reason: 'refresh_token_reuse' });
      expect((ended!.data as { clientIds: string[] }).clientIds.sort()).toEqual([RP.a.id, RP.b.id]);
      const scheduled = caused('session.backchannel_logout_scheduled', ended!);
      expect(
        scheduled
          .flatMap((e) =>
            (e.data as { deliveries: { clientId: string }[] }).deliveries.map((d) => d.clientId),
          )
          .sort(),
      ).toEqual([RP.a.id, RP.b.id]);
      // The reuse comes first in the store; everything after it in its chain.
      expect(chain[0]!.id).toBe(detected!.id);
    });

    it('revoke_grant (a confidential client by default): the reused grant only; the session, and B, live on', async () => {
      const { sid, tokens } = await signedIn([RP.c, RP.b]);
      const c0 = tokens.get(RP.c.id)!;
      const b = tokens.get(RP.b.id)!;
      const rotated = await refreshAs(base, RP.c, c0.refresh_token);
      expect(rotated.status).toBe(200);
      const c1 = rotated.body as { access_token: string; refresh_token: string };
      expect(await refreshAs(base, RP.c, c0.refresh_token)).toEqual({
        status: 400,
        body: usedAgain,
      });
      await expectInactive(RP.c, c1);
      await expectActive(RP.b, b);
      expect(await adminSession(sid)).toBeDefined();
      const events = await allEvents();
      const detected = events.find(
        (e) => e.type === 'grant.reuse_detected' && (e.data as { sid?: string }).sid === sid,
      );
      expect(detected?.data).toMatchObject({ policy: 'revoke_grant', response: 'revoke_grant' });
      expect(
        events.filter((e) => e.type === 'session.ended' && (e.data as { sid: string }).sid === sid),
      ).toEqual([]);
      expect(receivers.deliveredTo(RP.b.id).map((r) => r.sid)).not.toContain(sid);
    });

    it("another client's refresh token, rotated away or not, is invalid_grant and revokes nothing", async () => {
      const { sid, tokens } = await signedIn([RP.a, RP.b]);
      const a0 = tokens.get(RP.a.id)!;
      const rotated = await refreshAs(base, RP.a, a0.refresh_token);
      const a1 = rotated.body as { access_token: string; refresh_token: string };
      const before = (await allEvents()).length;
      for (const token of [a0.refresh_token, a1.refresh_token])
        expect(await refreshAs(base, RP.b, token)).toEqual({
          status: 400,
          body: { error: 'invalid_grant', error_description: 'refresh token is invalid' },
        });
      const appended = (await allEvents()).slice(before);
      expect(
        appended.filter((e) => e.type === 'grant.reuse_detected' || e.type === 'grant.revoked'),
      ).toEqual([]);
      await expectActive(RP.a, a1);
      await expectActive(RP.b, tokens.get(RP.b.id)!);
      expect(await adminSession(sid)).toBeDefined();
    });

    it('registration: refresh_reuse_response is one of revoke_grant and end_session, else invalid_client_metadata', async () => {
      const register = (over: Record<string, unknown>) =>
        fetch(`${base}/register`, {
          method: 'POST',
          headers: { ...bearer(INITIAL_ACCESS_TOKEN), 'content-type': 'application/json' },
          body: JSON.stringify({
            redirect_uris: [REDIRECT_URI],
            grant_types: ['authorization_code', 'refresh_token'],
            ...over,
          }),
        });
      for (const bad of ['logout', 'END_SESSION', 42]) {
        const res = await register({ refresh_reuse_response: bad });
        expect(res.status).toBe(400);
        expect(await res.json()).toMatchObject({
          error: 'invalid_client_metadata',
          error_description: expect.stringMatching(/^refresh_reuse_response/),
        });
      }
      const noRefresh = await register({
        refresh_reuse_response: 'end_session',
        grant_types: ['authorization_code'],
      });
      expect([noRefresh.status, ((await noRefresh.json()) as { error: string }).error]).toEqual([
        400,
        'invalid_client_metadata',
      ]);
      const ok = await register({ refresh_reuse_response: 'end_session' });
      expect(ok.status).toBe(201);
      expect(await ok.json()).toMatchObject({ refresh_reuse_response: 'end_session' });
    });

    // The parts of issue #19 the response reaches: the Shared Signals transmitter and the token history.
    describe('with the other parts of issue #19', () => {
      const RECEIVER = { id: 'rs-reuse', secret: 'rs-reuse-secret-0123456789abcdefghij' };
      const sets = new SetReceivers(() => base);
      beforeAll(async () => {
        await sets.listen();
        // A receiver is a client an operator gave an SSF scope (ssf:manage is operator-only).
        const registered = await fetch(`${provider!.adminUrl}/admin/clients`, {
          method: 'POST',
          headers: { ...bearer(ADMIN_TOKEN), 'content-type': 'application/json' },
          body: JSON.stringify({
            client_id: RECEIVER.id,
            client_secret: RECEIVER.secret,
            grant_types: ['client_credentials'],
            response_types: [],
            redirect_uris: [],
            scope: 'ssf:manage',
          }),
        });
        expect(registered.status).toBe(201);
        const token = await fetch(`${base}/token`, {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(`${RECEIVER.id}:${RECEIVER.secret}`).toString('base64')}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'ssf:manage' }),
        });
        const { access_token } = (await token.json()) as { access_token: string };
        const config = (await (await fetch(`${base}/.well-known/ssf-configuration`)).json()) as {
          configuration_endpoint: string;
        };
        const stream = await fetch(config.configuration_endpoint, {
          method: 'POST',
          headers: { ...bearer(access_token), 'content-type': 'application/json' },
          body: JSON.stringify({
            events_requested: [SSF_EVENT_TYPES.sessionRevoked],
            delivery: { method: SSF_DELIVERY_PUSH, endpoint_url: sets.urlOf(RECEIVER.id) },
          }),
        });
        expect(stream.status).toBe(201);
      });
      afterAll(() => sets.close());

      it('a Shared Signals receiver gets the session-revoked SET of the session ended by reuse, its txn the session.ended event', async () => {
        const { sid, tokens } = await signedIn([RP.a, RP.b]);
        const a0 = tokens.get(RP.a.id)!;
        expect((await refreshAs(base, RP.a, a0.refresh_token)).status).toBe(200);
        expect(await refreshAs(base, RP.a, a0.refresh_token)).toEqual({
          status: 400,
          body: usedAgain,
        });
        const revokedSession = (r: ReceivedSet) =>
          (r.payload['sub_id'] as { session?: { id: string } }).session?.id === sid;
        await waitFor(`the session-revoked SET of ${sid}`, async () =>
          sets.to(RECEIVER.id).some(revokedSession),
        );
        const set = sets.to(RECEIVER.id).find(revokedSession)!;
        expect(set.payload['events']).toEqual({
          [SSF_EVENT_TYPES.sessionRevoked]: expect.objectContaining({
            initiating_entity: 'policy',
            reason_admin: { en: 'session ended: refresh_token_reuse' },
          }),
        });
        const ended = (await allEvents()).find(
          (e) => e.type === 'session.ended' && (e.data as { sid: string }).sid === sid,
        );
        expect(set.payload['txn']).toBe(ended!.id);
        expect(sets.rejected).toEqual([]);
      });

      it('the token history of the reused refresh token shows the chain (history)', async () => {
        const { sid, tokens } = await signedIn([RP.a, RP.b]);
        const a0 = tokens.get(RP.a.id)!;
        const b = tokens.get(RP.b.id)!;
        const rotated = await refreshAs(base, RP.a, a0.refresh_token);
        const a1 = rotated.body as { access_token: string; refresh_token: string };
        expect((await refreshAs(base, RP.a, a0.refresh_token)).status).toBe(400);
        await waitFor(`session ${sid} ended`, async () => (await adminSession(sid)) === undefined);
        const history = async (token: string) => {
          const res = await fetch(`${provider!.adminUrl}/admin/tokens/history`, {
            method: 'POST',
            headers: { ...bearer(ADMIN_TOKEN), 'content-type': 'application/json' },
            body: JSON.stringify({ token }),
          });
          expect(res.status).toBe(200);
          return (await res.json()) as {
            events: { type: string; causationId?: string; eventId: string }[];
            relatedEvents: { type: string; reason?: string }[];
            state: { active: boolean; reason: Record<string, unknown> };
          };
        };
        // The reused token: rotated first; its grant's events show the detection, then the revocation it caused.
        const reusedAnswer = await history(a0.refresh_token);
        expect(reusedAnswer.state.reason).toMatchObject({ kind: 'rotated' });
        const detected = reusedAnswer.events.find((e) => e.type === 'grant.reuse_detected')!;
        expect(reusedAnswer.events.find((e) => e.type === 'grant.revoked')?.causationId).toBe(
          detected.eventId,
        );
        // The token the thief raced for: its grant revoked by reuse detection, with its record.
        expect((await history(a1.refresh_token)).state.reason).toMatchObject({
          kind: 'grant_revoked',
          why: 'refresh_token_reuse',
          reuse: {
            eventId: detected.eventId,
            presentedThisToken: false,
            ip: '127.0.0.1',
            policy: 'end_session',
            response: 'end_session',
          },
        });
        // B, in the same session: revoked with the session, which reuse ended.
        const bAnswer = await history(b.access_token);
        expect(bAnswer.state.reason).toMatchObject({
          kind: 'grant_revoked',
          why: 'session_ended',
          session: { sid, reason: 'refresh_token_reuse' },
        });
        expect(bAnswer.events.find((e) => e.type === 'grant.revoked')?.causationId).toBe(
          detected.eventId,
        );
        expect(JSON.stringify(reusedAnswer)).not.toContain(a0.refresh_token);
      });
    });
  });
}
