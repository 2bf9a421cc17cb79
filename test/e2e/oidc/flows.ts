import type { Configuration, PrivateKey } from 'openid-client';
import { authorizationUrl, rpFor, type ServerMetadata } from '../support/rp';
import { CookieBrowser, formOf } from './browser';
import { ALICE, REDIRECT_URI } from './seed';

/**
 * Alice fills in the login form that `page` shows and submits it in
 * `browser`. Redirects on the provider's origin (`base`) are followed, so
 * the answer is normally the redirect to the RP.
 */
export async function submitLoginAsAlice(
  browser: CookieBrowser,
  base: string,
  page: Response,
): Promise<Response> {
  const login = formOf(await page.text());
  return browser.follow(
    new URL(login.action, base).toString(),
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        ...login.fields,
        username: ALICE.username,
        password: ALICE.password,
      }),
    },
    base,
  );
}

/**
 * Drives an authorization request URL → login form → back to the RP as a
 * browser would (a fresh one: no SSO session), and returns the URL the
 * provider sent the browser to (the RP's redirect_uri with the response
 * parameters).
 */
export async function loginAsAlice(base: string, url: string): Promise<string> {
  const browser = new CookieBrowser();
  const page = await browser.follow(url, {}, base);
  if (page.status !== 200) throw new Error(`expected the login page, got ${page.status}`);
  const res = await submitLoginAsAlice(browser, base, page);
  const location = res.headers.get('location');
  if (res.status < 300 || res.status >= 400 || location === null) {
    throw new Error(
      `expected a redirect to the RP, got ${res.status}: ${(await res.text()).slice(0, 300)}`,
    );
  }
  return new URL(location, base).toString();
}

/** loginAsAlice with `client`'s authorization request of `params`. */
export function authorizeAsAlice(
  base: string,
  client: Configuration,
  params: Record<string, string>,
): Promise<string> {
  return loginAsAlice(base, authorizationUrl(client, params));
}

/** The seed's `pk-jwt` client (private_key_jwt, ES256; seed.ts) signing its assertions with `key`. */
export function pkJwtClient(issuer: ServerMetadata, key: PrivateKey): Configuration {
  return rpFor(
    issuer,
    {
      client_id: 'pk-jwt',
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'ES256',
      redirect_uris: [REDIRECT_URI],
    },
    key,
  );
}
