import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { custom, generators, Issuer, type Client, type TokenSet } from 'openid-client';
import { loadConfig } from '@idp/config';
import { startEmbedded } from '@idp/embedded';
import type { EventStore } from '@idp/eventstore';
import { CookieBrowser, formOf } from '../oidc/browser';
import { REDIRECT_URI } from '../oidc/seed';
import { freePort } from '../support/service-process';

custom.setHttpOptionsDefaults({ timeout: 10_000 });

export const INITIAL_ACCESS_TOKEN = 'e2e-initial-access-token-0123456789abcdef';
export const ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdef-0123456789';

/** openid-client v5 has these statics at runtime; its typings leave them off `issuer.Client`. */
export interface RegistrationStatics {
  register(metadata: object, options: { initialAccessToken: string }): Promise<Client>;
  fromUri(registrationClientUri: string, registrationAccessToken: string): Promise<Client>;
}

export interface Provider {
  readonly base: string;
  /** The admin listener (ADR 0017): /admin/*, /metrics, /health/*. */
  readonly adminBase: string;
  /** The embedded mode's event store (SQLite), to read the events a call appended. */
  readonly eventStore: EventStore;
  readonly issuer: Issuer<Client>;
  /** openid-client's Client class with its registration statics. */
  readonly clients: RegistrationStatics;
  stop(): Promise<void>;
}

/** The embedded mode with registration and the admin API switched on, as openid-client discovers it. */
export async function startProvider(): Promise<Provider> {
  const dataDir = mkdtempSync(join(tmpdir(), 'idp-registration-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const { app, adminUrl, eventStore } = await startEmbedded(
    loadConfig({
      DATA_DIR: dataDir,
      PORT: String(port),
      ISSUER: base,
      LOG_LEVEL: 'warn',
      INITIAL_ACCESS_TOKEN,
      ADMIN_TOKEN,
      // These suites register more in a second than an RP does in a day (ADR 0016 defaults: 5/s).
      RATE_LIMIT_REGISTER: '1000',
    }),
  );
  // The RP library finds /register through discovery, as a real RP would.
  const issuer = await Issuer.discover(base);
  if (issuer.metadata.registration_endpoint !== `${base}/register`) {
    throw new Error('discovery does not advertise registration_endpoint while registration is on');
  }
  return {
    base,
    adminBase: adminUrl,
    eventStore,
    issuer,
    clients: issuer.Client as unknown as RegistrationStatics,
    stop: async () => {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A call to /admin on the admin listener, with the admin token (or `token`); a JSON body when one is given. */
export const adminRequest = (
  adminBase: string,
  method: string,
  path: string,
  body?: unknown,
  token = ADMIN_TOKEN,
) =>
  fetch(`${adminBase}/admin${path}`, {
    method,
    headers: {
      ...bearer(token),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

/** /authorize → login form → the RP's redirect_uri → tokens, all validated by openid-client. */
export async function codeFlow(
  base: string,
  client: Client,
  login: { username: string; password: string },
): Promise<TokenSet> {
  const verifier = generators.codeVerifier();
  const state = generators.state();
  const nonce = generators.nonce();
  const browser = new CookieBrowser();
  const url = client.authorizationUrl({
    scope: 'openid profile',
    state,
    nonce,
    code_challenge: generators.codeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  let res = await browser.follow(url, {}, base);
  if (res.status !== 200) throw new Error(`expected the login page, got ${res.status}`);
  const form = formOf(await res.text());
  res = await browser.fetch(new URL(form.action, base).toString(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...form.fields, ...login }),
  });
  for (let hops = 0; hops < 5 && res.status >= 300 && res.status < 400; hops++) {
    const next = new URL(res.headers.get('location')!, base).toString();
    if (!next.startsWith(base)) {
      const params = client.callbackParams(next);
      return client.callback(REDIRECT_URI, params, { code_verifier: verifier, state, nonce });
    }
    res = await browser.fetch(next);
  }
  throw new Error(`login did not reach the RP: ${res.status} ${(await res.text()).slice(0, 300)}`);
}
