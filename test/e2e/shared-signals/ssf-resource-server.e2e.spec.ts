import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { loadConfig } from '@idp/config';
import { startEmbedded } from '@idp/embedded';
import { CookieBrowser } from '../oidc/browser';
import { ALICE, REDIRECT_URI } from '../oidc/seed';
import { RP_LOGGED_OUT, signIn } from '../logout/logout.fixtures';
import { discover, rpFor } from '../support/rp';
import { freePort, waitFor } from '../support/service-process';

jest.setTimeout(120_000);

const RS = { id: 'rs-example', secret: 'rs-example-secret-0123456789abcdefg' };
const APP = { id: 'app-jwt', secret: 'app-jwt-secret-0123456789abcdefghij' };
const WEB = { id: 'web-jwt', secret: 'web-jwt-secret-0123456789abcdefghij' };
/** How soon a revoked JWT must be refused at the RS (push delivery, no polling of ours). */
const BOUND_MS = 2_000;

function writeSeed(): string {
  const service = (c: { id: string; secret: string }, scope: string) => ({
    client_id: c.id,
    client_secret: c.secret,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
    access_token_format: 'jwt',
    scope,
  });
  const seed = {
    clients: [
      service(RS, 'ssf:manage'),
      service(APP, 'reports:read'),
      {
        client_id: WEB.id,
        client_secret: WEB.secret,
        redirect_uris: [REDIRECT_URI],
        post_logout_redirect_uris: [RP_LOGGED_OUT],
        grant_types: ['authorization_code', 'refresh_token'],
        token_endpoint_auth_method: 'client_secret_basic',
        access_token_format: 'jwt',
        scope: 'openid profile offline_access',
        skip_consent: true,
      },
    ],
    users: [{ sub: ALICE.sub, username: ALICE.username, password: ALICE.password, claims: {} }],
  };
  const file = join(mkdtempSync(join(tmpdir(), 'idp-ssf-rs-')), 'seed.json');
  writeFileSync(file, JSON.stringify(seed));
  return file;
}

/**
 * examples/ssf-resource-server run as its own process against the embedded
 * server: it verifies JWT access tokens locally and drops revoked ones on
 * receipt of the SET. The proof of issue #19: a JWT revoked at /revoke, or
 * ended with its session at /logout, stops working at the RS within
 * BOUND_MS, and the RS never called introspection (its outbound calls are
 * logged: discovery, JWKS, /token, the stream endpoint).
 */
describe('examples/ssf-resource-server against the embedded server', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'idp-ssf-rs-data-'));
  let base = '';
  let closeIdp: () => Promise<void> = async () => undefined;
  let rs: ChildProcess | undefined;
  let rsUrl = '';
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const { app } = await startEmbedded(
      loadConfig({
        DATA_DIR: dataDir,
        PORT: String(port),
        ISSUER: base,
        SEED_FILE: writeSeed(),
        LOG_LEVEL: 'warn',
      }),
    );
    closeIdp = () => app.close();
    rs = spawn(
      process.execPath,
      [resolve(__dirname, '../../../examples/ssf-resource-server/main.mjs')],
      {
        env: {
          ...process.env,
          IDP_ISSUER: base,
          RS_CLIENT_ID: RS.id,
          RS_CLIENT_SECRET: RS.secret,
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    createInterface({ input: rs.stdout! }).on('line', (line) => {
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        lines.push({ msg: line });
      }
    });
    await waitFor('the resource server listening', async () =>
      lines.some((l) => l['msg'] === 'listening'),
    );
    rsUrl = lines.find((l) => l['msg'] === 'listening')!['url'] as string;
  });

  afterAll(async () => {
    if (rs && rs.exitCode === null) {
      const exited = new Promise((r) => rs!.once('exit', r));
      rs.kill('SIGTERM');
      await exited;
    }
    await closeIdp();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const basic = (c: { id: string; secret: string }) =>
    `Basic ${Buffer.from(`${c.id}:${c.secret}`).toString('base64')}`;
  const appToken = async () => {
    const res = await fetch(`${base}/token`, {
      method: 'POST',
      headers: {
        authorization: basic(APP),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials&scope=reports%3Aread',
    });
    return ((await res.json()) as { access_token: string }).access_token;
  };
  const atRs = async (token: string) =>
    (await fetch(`${rsUrl}/api/resource`, { headers: { authorization: `Bearer ${token}` } }))
      .status;
  /** Waits (at most BOUND_MS) for the RS to refuse the token; returns how long it took. */
  const refusedWithin = async (token: string) => {
    const started = Date.now();
    await waitFor('the RS to refuse the revoked token', async () => (await atRs(token)) === 401, {
      timeoutMs: BOUND_MS,
      intervalMs: 20,
    });
    return Date.now() - started;
  };

  it('a JWT revoked at /revoke stops working at the RS within the bound, without introspection', async () => {
    const token = await appToken();
    const other = await appToken();
    expect(await atRs(token)).toBe(200);
    const revoke = await fetch(`${base}/revoke`, {
      method: 'POST',
      headers: {
        authorization: basic(APP),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token }).toString(),
    });
    expect(revoke.status).toBe(200);
    expect(await refusedWithin(token)).toBeLessThan(BOUND_MS);
    // Only that token: another one of the same client still works.
    expect(await atRs(other)).toBe(200);
    // A forged or foreign token never worked.
    expect(await atRs(`${token.slice(0, -4)}AAAA`)).toBe(401);
  });

  it('logout: the session-revoked SET drops every JWT of that session', async () => {
    const browser = new CookieBrowser();
    const web = rpFor(await discover(base), {
      client_id: WEB.id,
      client_secret: WEB.secret,
      redirect_uris: [REDIRECT_URI],
    });
    const tokens = await signIn(browser, base, web);
    expect(await atRs(tokens.access_token)).toBe(200);
    const logout = await browser.fetch(
      `${base}/logout?${new URLSearchParams({
        id_token_hint: tokens.id_token,
        post_logout_redirect_uri: RP_LOGGED_OUT,
      }).toString()}`,
    );
    expect(logout.status).toBe(303);
    expect(await refusedWithin(tokens.access_token)).toBeLessThan(BOUND_MS);
  });

  it('never called introspection: every outbound call of the RS is discovery, JWKS, /token or its stream', () => {
    const outbound = lines.filter((l) => l['msg'] === 'outbound').map((l) => String(l['url']));
    expect(outbound.length).toBeGreaterThan(0);
    for (const url of outbound) expect(url).not.toMatch(/introspect|userinfo/);
    expect(outbound).toEqual(
      expect.arrayContaining([`${base}/.well-known/ssf-configuration`, `${base}/ssf/stream`]),
    );
    expect(lines.filter((l) => l['msg'] === 'set refused')).toEqual([]);
  });
});
