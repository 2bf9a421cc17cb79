import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { introspect } from '../introspection/introspection.fixtures';
import { CookieBrowser } from '../oidc/browser';
import { ALICE, REDIRECT_URI } from '../oidc/seed';
import { discover, rpFor, type OidcTokens, type ServerMetadata } from '../support/rp';
import { freePort, waitFor } from '../support/service-process';
import { LogoutReceivers } from './backchannel.support';
import {
  ADMIN_TOKEN,
  adminSessionView,
  bearer,
  RP,
  RP_LOGGED_OUT,
  signIn,
  silentAuthorizeError,
  writeLogoutSeed,
  type Rp,
} from './logout.fixtures';

jest.setTimeout(60_000);

export interface RunningProvider {
  /** Where /introspect is served (introspection-service, or the embedded port). */
  readonly introspectionUrl: string;
  /** auth-api's (or the embedded mode's) admin listener, where /admin is served (ADR 0017). */
  readonly adminUrl: string;
  stop(): Promise<void>;
}
export type StartProvider = (opts: {
  port: number;
  issuer: string;
  seedFile: string;
  env: Record<string, string>;
}) => Promise<RunningProvider>;

export interface LogoutContext {
  readonly base: () => string;
  readonly issuer: () => ServerMetadata;
  readonly client: (rp: Rp) => oidc.Configuration;
  /** The live session's view from the admin API, or undefined once it ended. */
  readonly adminSession: (sid: string) => Promise<{ clientIds: string[] } | undefined>;
  /** Waits until session-service recorded every client as joined (from token events). */
  readonly joined: (sid: string, clientIds: string[]) => Promise<void>;
}

/**
 * RP-Initiated Logout end to end: one browser signs in once, three clients
 * get tokens in the same SSO session, one of them logs out. Once the 303
 * arrives, every token of the session is inactive at /introspect and refused
 * at /userinfo, refresh fails and the browser has no session left.
 */
export function logoutSuite(
  mode: string,
  start: StartProvider,
  more?: (ctx: LogoutContext) => void,
): void {
  describe(`RP-initiated logout (${mode})`, () => {
    let base = '';
    let provider: RunningProvider | undefined;
    let issuer: ServerMetadata;
    // rp-a, rp-b and rp-c registered back-channel logout URIs here; every token is checked with jose.
    const receivers = new LogoutReceivers(() => base, ALICE.sub);

    beforeAll(async () => {
      await receivers.listen();
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      provider = await start({
        port,
        issuer: base,
        seedFile: writeLogoutSeed((clientId) => receivers.uriOf(clientId)),
        env: { ADMIN_TOKEN },
      });
      issuer = await discover(base);
    }, 120_000);
    afterAll(async () => {
      await provider?.stop();
      await receivers.close();
    });

    const client = (rp: Rp) =>
      rpFor(issuer, {
        client_id: rp.id,
        client_secret: rp.secret,
        redirect_uris: [REDIRECT_URI],
      });
    const adminSession = (sid: string) => adminSessionView(provider!.adminUrl, sid);
    const joined = async (sid: string, clientIds: string[]) => {
      await waitFor(`clients ${clientIds.join(', ')} joined session ${sid}`, async () => {
        const view = await adminSession(sid);
        return view !== undefined && clientIds.every((id) => view.clientIds.includes(id));
      });
    };
    const active = async (rp: Rp, token: string) => {
      const res = await introspect(provider!.introspectionUrl, token, rp);
      expect(res.status).toBe(200);
      return res.body['active'];
    };
    const userinfoStatus = async (token: string) =>
      (await fetch(`${base}/userinfo`, { headers: bearer(token) })).status;

    it('a valid id_token_hint and registered post_logout_redirect_uri: 303 with state, and every token of the session is dead at once', async () => {
      const browser = new CookieBrowser();
      const rps = [RP.a, RP.b, RP.c];
      const tokens: OidcTokens[] = [];
      for (const rp of rps) tokens.push(await signIn(browser, base, client(rp)));
      const sid = tokens[0]!.claims().sid as string;
      expect(tokens.map((t) => t.claims().sid)).toEqual([sid, sid, sid]);
      await joined(
        sid,
        rps.map((rp) => rp.id),
      );
      for (const [i, rp] of rps.entries())
        expect(await active(rp, tokens[i]!.access_token!)).toBe(true);

      const url = new URL(`${base}/logout`);
      url.search = new URLSearchParams({
        id_token_hint: tokens[0]!.id_token!,
        post_logout_redirect_uri: RP_LOGGED_OUT,
        state: 'after logout',
      }).toString();
      const res = await browser.fetch(url.toString());
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe(`${RP_LOGGED_OUT}?state=after%20logout`);
      expect(res.headers.getSetCookie()).toEqual([
        expect.stringMatching(/^idp_session=; .*Max-Age=0/),
      ]);

      // No waiting: the response came after the revocations and their tombstones.
      for (const [i, rp] of rps.entries()) {
        expect(await active(rp, tokens[i]!.access_token!)).toBe(false);
        expect(await active(rp, tokens[i]!.refresh_token!)).toBe(false);
        expect(await userinfoStatus(tokens[i]!.access_token!)).toBe(401);
      }
      await expect(
        oidc.refreshTokenGrant(client(RP.a), tokens[0]!.refresh_token!),
      ).rejects.toMatchObject({ error: 'invalid_grant' });
      expect(await silentAuthorizeError(browser, base, client(RP.a))).toBe('login_required');
      expect(await adminSession(sid)).toBeUndefined();
      // Every RP of the session hears about it over the back channel, the one that logged out too.
      await receivers.waitDelivered(rps.map((rp) => rp.id));
      for (const rp of rps) {
        expect(receivers.deliveredTo(rp.id).map((r) => r.sid)).toContain(sid);
      }
      expect(receivers.problems).toEqual([]);
      // The ID token the RP still holds names an ended session: logging out again is harmless.
      const again = await browser.fetch(url.toString());
      expect([again.status, again.headers.get('location')]).toEqual([
        303,
        `${RP_LOGGED_OUT}?state=after%20logout`,
      ]);
      expect(decodeJwt(tokens[0]!.id_token!).sid).toBe(sid);
    });

    more?.({ base: () => base, issuer: () => issuer, client, adminSession, joined });
  });
}
