import { decodeJwt } from 'jose';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { ALICE, REDIRECT_URI } from '../oidc/seed';
import { authorizationUrl as buildUrl, codeGrant, newChecks, rpFor, userinfo } from '../support/rp';
import { launchChromium, screenshotOnFailure } from './chromium';
import { startEmbeddedProvider, type EmbeddedProvider } from './embedded-provider';

/**
 * The login page in a real browser: headless Chromium with JavaScript off
 * (the page must work without it), driving the authorization code flow of
 * the embedded provider from the RP's authorization URL to a code that
 * openid-client redeems. The RP's redirect_uri is not a real host: the
 * browser's navigation to it is intercepted and recorded.
 */
describe('login page in headless Chromium', () => {
  let provider: EmbeddedProvider | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;

  beforeAll(async () => {
    // Chromium first: when it is missing, fail fast with the fix.
    browser = await launchChromium();
    provider = await startEmbeddedProvider();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await provider?.stop();
  });
  afterEach(async () => {
    await context?.close();
    context = undefined;
    page = undefined;
  });

  /** Clicks "Sign in" and returns the response to the login POST (a redirect is not followed here). */
  async function submitLogin(p: Page, password: string): Promise<Response> {
    await p.getByLabel('Username').fill(ALICE.username);
    await p.getByLabel('Password').fill(password);
    const [response] = await Promise.all([
      p.waitForResponse((r) => r.request().method() === 'POST' && /\/login$/.test(r.url())),
      p.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    return response;
  }

  it('signs in with a form that needs no JavaScript, refuses a wrong password, then sends the code to the RP', async () => {
    const { base, issuer } = provider!;
    context = await browser!.newContext({ javaScriptEnabled: false });
    page = await context.newPage();
    const rpNavigations: string[] = [];
    let reachedRp!: (url: string) => void;
    const rpCallback = new Promise<string>((resolve) => (reachedRp = resolve));
    await page.route('https://rp.example.test/**', async (route) => {
      rpNavigations.push(route.request().url());
      reachedRp(route.request().url());
      await route.fulfill({ status: 200, contentType: 'text/plain', body: 'RP callback' });
    });

    await screenshotOnFailure(
      'login-page',
      () => page,
      async () => {
        const p = page!;
        const client = rpFor(issuer, {
          client_id: 'web-opaque',
          client_secret: 'web-opaque-secret-0123456789abcdef',
          redirect_uris: [REDIRECT_URI],
        });
        const { checks, params } = await newChecks();
        const { state, nonce } = checks;
        const authorizationUrl = buildUrl(client, { scope: 'openid email', ...params });

        // /authorize → 303 → the login page of a new interaction.
        const loginPage = await p.goto(authorizationUrl);
        expect(loginPage?.status()).toBe(200);
        expect(p.url()).toMatch(new RegExp(`^${base}/interaction/[A-Za-z0-9_-]{22}$`));
        expect(loginPage?.request().redirectedFrom()?.url()).toBe(authorizationUrl);
        expect(loginPage?.headers()['content-type']).toBe('text/html; charset=utf-8');
        expect(loginPage?.headers()['content-security-policy']).toMatch(/default-src 'none'/);
        expect(loginPage?.headers()['content-security-policy']).not.toMatch(/script-src/);
        expect(await p.title()).toBe('Sign in');

        // A plain HTML form: labelled fields, a POST to our own origin, no script at all.
        const username = p.getByLabel('Username');
        const password = p.getByLabel('Password');
        await expect(username.getAttribute('name')).resolves.toBe('username');
        await expect(username.getAttribute('type')).resolves.toBe('text');
        await expect(username.getAttribute('autocomplete')).resolves.toBe('username');
        await expect(password.getAttribute('name')).resolves.toBe('password');
        await expect(password.getAttribute('type')).resolves.toBe('password');
        await expect(password.getAttribute('autocomplete')).resolves.toBe('current-password');
        const form = p.locator('form');
        await expect(form.count()).resolves.toBe(1);
        await expect(form.getAttribute('method')).resolves.toBe('post');
        expect(await form.getAttribute('action')).toBe(`${p.url()}/login`);
        await expect(p.locator('input[type=hidden][name=csrf]').count()).resolves.toBe(1);
        await expect(p.locator('input[type=hidden][name=interaction_id]').count()).resolves.toBe(1);
        await expect(p.locator('script').count()).resolves.toBe(0);
        await expect(p.getByRole('alert').count()).resolves.toBe(0);

        // A wrong password: the same page again, status 200, no redirect, a fixed message.
        const wrong = await submitLogin(p, 'not-the-password');
        expect(wrong.status()).toBe(200);
        expect(wrong.headers()['location']).toBeUndefined();
        expect(wrong.request().redirectedTo()).toBeNull();
        await p.waitForLoadState('domcontentloaded');
        expect(p.url()).toMatch(/\/login$/);
        await expect(p.getByRole('alert').textContent()).resolves.toBe(
          'Wrong username or password.',
        );
        await expect(p.getByLabel('Username').inputValue()).resolves.toBe(ALICE.username);
        await expect(p.getByLabel('Password').inputValue()).resolves.toBe('');
        expect(rpNavigations).toEqual([]);

        // The right password: 303 straight to the RP (web-opaque skips consent).
        const right = await submitLogin(p, ALICE.password);
        expect(right.status()).toBe(303);
        expect(right.headers()['location']).toMatch(new RegExp(`^${REDIRECT_URI}\\?`));
        const callbackUrl = await rpCallback;
        expect(rpNavigations).toEqual([callbackUrl]);
        const callback = new URL(callbackUrl);
        expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
        expect(callback.searchParams.get('code')).toEqual(expect.any(String));
        expect(callback.searchParams.get('state')).toBe(state);
        expect(callback.searchParams.get('iss')).toBe(base); // RFC 9207
        expect(callback.searchParams.has('error')).toBe(false);

        // The code works: openid-client redeems it and validates the ID token.
        const tokens = await codeGrant(client, callbackUrl, checks);
        expect(tokens.claims()).toMatchObject({ iss: base, sub: ALICE.sub, aud: 'web-opaque' });
        expect(decodeJwt(tokens.id_token).nonce).toBe(nonce);
        await expect(userinfo(client, tokens)).resolves.toMatchObject({
          sub: ALICE.sub,
          email: 'alice@example.test',
        });
      },
    );
  }, 60_000);
});
