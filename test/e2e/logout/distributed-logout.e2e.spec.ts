import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { CookieBrowser, formOf } from '../oidc/browser';
import { startDistributedStack } from '../support/distributed-stack';
import { FRONT_CHANNEL_URI, RP, RP_LOGGED_OUT, signIn } from './logout.fixtures';
import { logoutSuite } from './logout.suite';

/**
 * Logout across four processes over gRPC, Kafka, Redis and PostgreSQL, plus
 * what a hostile or broken request gets at /logout, the confirmation page
 * and the front-channel iframes.
 */
logoutSuite(
  'distributed mode',
  async ({ port, issuer, seedFile, env }) => {
    const stack = await startDistributedStack({
      name: 'logout',
      issuer,
      seedFile,
      authPort: port,
      env,
    });
    return {
      introspectionUrl: stack.introspection[0]!.url,
      adminUrl: stack.auth.adminUrl,
      stop: () => stack.stop(),
    };
  },
  ({ base, client, adminSession, joined }) => {
    /** A signed-in browser with rp-a's tokens, ready to be logged out. */
    async function signedIn() {
      const browser = new CookieBrowser();
      const tokens = await signIn(browser, base(), client(RP.a));
      const sid = tokens.claims().sid as string;
      return { browser, tokens, sid };
    }
    const logoutUrl = (params: Record<string, string>) =>
      `${base()}/logout?${new URLSearchParams(params).toString()}`;
    async function expectErrorPage(res: Response, text: RegExp, status = 400) {
      expect(res.status).toBe(status);
      expect(res.headers.get('location')).toBeNull();
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const body = await res.text();
      expect(body).toContain('Logout could not complete');
      expect(body).toMatch(text);
    }

    it('bad input: forged or foreign hints, an unregistered redirect, repeated parameters, a wrong body: an error page, no redirect, the session lives on', async () => {
      const { browser, sid, tokens } = await signedIn();
      const { privateKey, publicKey } = await generateKeyPair('RS256');
      const kid = (await exportJWK(publicKey)).kid ?? 'attacker';
      const forge = (iss: string) =>
        new SignJWT({ sub: tokens.claims().sub, aud: RP.a.id, sid })
          .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
          .setIssuer(iss)
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(privateKey);
      const redirect = { post_logout_redirect_uri: RP_LOGGED_OUT };
      const cases: [RequestInit & { url: string }, RegExp, number?][] = [
        [{ url: logoutUrl({ id_token_hint: await forge(base()), ...redirect }) }, /id_token_hint/],
        [
          {
            url: logoutUrl({
              id_token_hint: await forge('https://other-idp.example'),
              ...redirect,
            }),
          },
          /id_token_hint/,
        ],
        [{ url: logoutUrl({ id_token_hint: 'garbage', ...redirect }) }, /id_token_hint/],
        [
          {
            url: logoutUrl({
              id_token_hint: tokens.id_token!,
              post_logout_redirect_uri: 'https://evil.example/',
            }),
          },
          /not registered/,
        ],
        [
          { url: `${logoutUrl({ client_id: RP.a.id, ...redirect })}&client_id=${RP.b.id}` },
          /must not be repeated/,
        ],
        [{ url: logoutUrl({ client_id: RP.a.id, state: 'x'.repeat(10_000) }) }, /must not exceed/],
        [
          {
            url: `${base()}/logout`,
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ id_token_hint: tokens.id_token, ...redirect }),
          },
          /application\/x-www-form-urlencoded/,
          // One body policy (issue #13): a body that is not a form is 415.
          415,
        ],
      ];
      for (const [{ url, ...init }, text, status] of cases) {
        await expectErrorPage(await browser.fetch(url, init), text, status);
      }
      expect(await adminSession(sid)).toBeDefined();
      expect(
        (
          await fetch(`${base()}/userinfo`, {
            headers: { authorization: `Bearer ${tokens.access_token}` },
          })
        ).status,
      ).toBe(200);
    });

    it('without a hint: a confirmation page, and only its CSRF-checked POST ends the session', async () => {
      const { browser, sid } = await signedIn();
      const ask = await browser.fetch(
        logoutUrl({ client_id: RP.a.id, post_logout_redirect_uri: RP_LOGGED_OUT, state: 'st' }),
      );
      expect(ask.status).toBe(200);
      const html = await ask.text();
      expect(html).toContain(`Log out of ${base()}?`);
      expect(await adminSession(sid)).toBeDefined();
      const page = formOf(html);
      const post = (fields: Record<string, string>) =>
        browser.fetch(page.action, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(fields).toString(),
        });
      const forged = await post({
        ...page.fields,
        csrf: `${'A'.repeat(22)}.${'B'.repeat(43)}`,
        decision: 'logout',
      });
      expect(forged.status).toBe(403);
      expect(await adminSession(sid)).toBeDefined();
      const confirmed = await post({ ...page.fields, decision: 'logout' });
      expect(confirmed.status).toBe(303);
      expect(confirmed.headers.get('location')).toBe(`${RP_LOGGED_OUT}?state=st`);
      expect(await adminSession(sid)).toBeUndefined();
    });

    it('front-channel logout: the page frames the logout URI of every client that registered one, then moves on to the redirect', async () => {
      const { browser, sid, tokens } = await signedIn();
      await signIn(browser, base(), client(RP.fc));
      await joined(sid, [RP.a.id, RP.fc.id]);
      const res = await browser.fetch(
        logoutUrl({
          id_token_hint: tokens.id_token!,
          post_logout_redirect_uri: RP_LOGGED_OUT,
          state: 'fc',
        }),
      );
      expect(res.status).toBe(200);
      const html = await res.text();
      const frame = new URL(FRONT_CHANNEL_URI);
      frame.searchParams.set('iss', base());
      frame.searchParams.set('sid', sid);
      expect(html).toContain(`<iframe src="${frame.toString().replace(/&/g, '&amp;')}"`);
      expect(html).toContain(`url='${RP_LOGGED_OUT}?state=fc'`);
      expect(html).toContain(`href="${RP_LOGGED_OUT}?state=fc"`);
      expect(res.headers.get('content-security-policy')).toContain(
        'frame-src https://rp-fc.example.test',
      );
      expect(await adminSession(sid)).toBeUndefined();
    });
  },
);
