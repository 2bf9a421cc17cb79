import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Configuration } from 'openid-client';
import { authorizationUrl, codeGrant, newChecks, type OidcTokens } from '../support/rp';
import type { CookieBrowser } from '../oidc/browser';
import { submitLoginAsAlice } from '../oidc/flows';
import { ALICE, REDIRECT_URI } from '../oidc/seed';

export const ADMIN_TOKEN = 'e2e-logout-admin-token-0123456789abcdef-01';
export const RP_LOGGED_OUT = 'https://rp.example.test/logged-out';
export const FRONT_CHANNEL_URI = 'https://rp-fc.example.test/frontchannel-logout';

/** A confidential code-flow client that may come back after logout. */
export const RP = {
  a: { id: 'rp-a', secret: 'rp-a-secret-0123456789abcdefghijk', format: 'opaque' },
  b: { id: 'rp-b', secret: 'rp-b-secret-0123456789abcdefghijk', format: 'jwt' },
  c: { id: 'rp-c', secret: 'rp-c-secret-0123456789abcdefghijk', format: 'opaque' },
  fc: { id: 'rp-fc', secret: 'rp-fc-secret-0123456789abcdefghij', format: 'opaque' },
} as const;
export type Rp = (typeof RP)[keyof typeof RP];

/**
 * `backchannelUri`: where rp-a, rp-b and rp-c receive back-channel logout
 * tokens; `metadata`: more metadata for some clients, by client_id.
 */
export function writeLogoutSeed(
  backchannelUri?: (clientId: string) => string,
  metadata: Readonly<Record<string, Record<string, unknown>>> = {},
): string {
  const backchannel = (rp: Rp) =>
    backchannelUri === undefined
      ? {}
      : {
          backchannel_logout_uri: backchannelUri(rp.id),
          backchannel_logout_session_required: true,
        };
  const client = (rp: Rp, extra: Record<string, unknown> = {}) => ({
    client_id: rp.id,
    client_secret: rp.secret,
    redirect_uris: [REDIRECT_URI],
    post_logout_redirect_uris: [RP_LOGGED_OUT],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'client_secret_basic',
    access_token_format: rp.format,
    scope: 'openid profile email offline_access',
    skip_consent: true,
    ...extra,
    ...metadata[rp.id],
  });
  const seed = {
    clients: [
      client(RP.a, backchannel(RP.a)),
      client(RP.b, backchannel(RP.b)),
      client(RP.c, backchannel(RP.c)),
      client(RP.fc, {
        frontchannel_logout_uri: FRONT_CHANNEL_URI,
        frontchannel_logout_session_required: true,
      }),
    ],
    users: [
      {
        sub: ALICE.sub,
        username: ALICE.username,
        password: ALICE.password,
        claims: { name: 'Alice Liddell', email: 'alice@example.test' },
      },
    ],
  };
  const file = join(mkdtempSync(join(tmpdir(), 'idp-logout-')), 'seed.json');
  writeFileSync(file, JSON.stringify(seed));
  return file;
}

/**
 * The code flow in `browser` (its SSO session): the login form when there is
 * no session yet, straight back to the RP when there is one. Returns the
 * tokens as the RP library validated them.
 */
export async function signIn(
  browser: CookieBrowser,
  base: string,
  client: Configuration,
  scope = 'openid profile offline_access',
): Promise<OidcTokens> {
  const { checks, params } = await newChecks();
  let res = await browser.follow(authorizationUrl(client, { scope, ...params }), {}, base);
  if (res.status === 200) {
    res = await submitLoginAsAlice(browser, base, res);
  }
  const callback = res.headers.get('location');
  if (res.status < 300 || res.status >= 400 || callback === null)
    throw new Error(`expected a redirect to the RP, got ${res.status}`);
  return codeGrant(client, callback, checks);
}

/** /authorize with prompt=none in `browser`: the error the RP receives, if any. */
export async function silentAuthorizeError(
  browser: CookieBrowser,
  base: string,
  client: Configuration,
): Promise<string | null> {
  const res = await browser.follow(
    authorizationUrl(client, { scope: 'openid', prompt: 'none', state: 's', nonce: 'n' }),
    {},
    base,
  );
  const location = res.headers.get('location');
  if (location === null) throw new Error(`prompt=none answered ${res.status} without a redirect`);
  return new URL(location).searchParams.get('error');
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** The live session's view from the admin API (ADR 0017), or undefined once it ended. */
export async function adminSessionView(
  adminUrl: string,
  sid: string,
): Promise<{ clientIds: string[] } | undefined> {
  const res = await fetch(`${adminUrl}/admin/sessions/${sid}`, { headers: bearer(ADMIN_TOKEN) });
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw new Error(`admin session: ${res.status}`);
  return (await res.json()) as { clientIds: string[] };
}
