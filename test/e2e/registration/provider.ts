import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { loadConfig } from '@idp/config';
import { startEmbedded } from '@idp/embedded';
import type { EventStore } from '@idp/eventstore';
import { CookieBrowser, formOf } from '../oidc/browser';
import {
  authorizationUrl,
  codeGrant,
  discover,
  newChecks,
  rpFor,
  type OidcTokens,
  type ServerMetadata,
} from '../support/rp';
import { freePort } from '../support/service-process';

export const INITIAL_ACCESS_TOKEN = 'e2e-initial-access-token-0123456789abcdef';
export const ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdef-0123456789';

/** RFC 7591 registration and RFC 7592 read as the RP does them. */
export interface Registration {
  /** openid-client 6's dynamicClientRegistration (it discovers /register itself). */
  register(metadata: object, initialAccessToken: string): Promise<oidc.Configuration>;
  /**
   * RFC 7592 2.1 read. openid-client 6 has no client read (version 5's
   * Client.fromUri); this GET is what fromUri sent, and the answer must be
   * JSON client metadata that configures the RP as registration did.
   */
  read(registrationClientUri: string, registrationAccessToken: string): Promise<oidc.Configuration>;
}

export interface Provider {
  readonly base: string;
  /** The admin listener (ADR 0017): /admin/*, /metrics, /health/*. */
  readonly adminBase: string;
  /** The embedded mode's event store (SQLite), to read the events a call appended. */
  readonly eventStore: EventStore;
  readonly issuer: ServerMetadata;
  readonly clients: Registration;
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
  const issuer = await discover(base);
  if (issuer.registration_endpoint !== `${base}/register`) {
    throw new Error('discovery does not advertise registration_endpoint while registration is on');
  }
  return {
    base,
    adminBase: adminUrl,
    eventStore,
    issuer,
    clients: {
      register: async (metadata, initialAccessToken) => {
        const registered = await oidc.dynamicClientRegistration(
          new URL(base),
          metadata,
          undefined,
          { initialAccessToken, execute: [oidc.allowInsecureRequests], timeout: 10 },
        );
        // Rebuilt so the client authenticates as registered (client_secret_basic by default).
        const m = registered.clientMetadata();
        return rpFor(registered.serverMetadata(), { ...m, client_id: m.client_id });
      },
      read: async (uri, rat) => {
        const res = await fetch(uri, { headers: { ...bearer(rat), accept: 'application/json' } });
        if (res.status !== 200) throw new Error(`RFC 7592 read answered ${res.status}`);
        if (!/^application\/json/.test(res.headers.get('content-type') ?? '')) {
          throw new Error(`RFC 7592 read answered ${res.headers.get('content-type')}`);
        }
        const m = (await res.json()) as oidc.ClientMetadata;
        return rpFor(issuer, m);
      },
    },
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
  client: oidc.Configuration,
  login: { username: string; password: string },
): Promise<OidcTokens> {
  const { checks, params } = await newChecks();
  const browser = new CookieBrowser();
  const url = authorizationUrl(client, { scope: 'openid profile', ...params });
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
    if (!next.startsWith(base)) return codeGrant(client, next, checks);
    res = await browser.fetch(next);
  }
  throw new Error(`login did not reach the RP: ${res.status} ${(await res.text()).slice(0, 300)}`);
}
