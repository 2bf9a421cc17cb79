import type { Configuration } from 'openid-client';
import { authorizationUrl } from '../support/rp';
import { CookieBrowser, formOf } from './browser';
import { ALICE } from './seed';

/**
 * Drives /authorize → login form → back to the RP as a browser would, and
 * returns the URL the provider sent the browser to (the RP's redirect_uri
 * with the response parameters).
 */
export async function authorizeAsAlice(
  base: string,
  client: Configuration,
  params: Record<string, string>,
): Promise<string> {
  const browser = new CookieBrowser();
  let res = await browser.follow(authorizationUrl(client, params), {}, base);
  if (res.status !== 200) throw new Error(`expected the login page, got ${res.status}`);
  const login = formOf(await res.text());
  res = await browser.fetch(new URL(login.action, base).toString(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      ...login.fields,
      username: ALICE.username,
      password: ALICE.password,
    }),
  });
  for (let hops = 0; hops < 5 && res.status >= 300 && res.status < 400; hops++) {
    const next = new URL(res.headers.get('location')!, base).toString();
    if (!next.startsWith(base)) return next;
    res = await browser.fetch(next);
  }
  throw new Error(
    `expected a redirect to the RP, got ${res.status}: ${(await res.text()).slice(0, 300)}`,
  );
}
