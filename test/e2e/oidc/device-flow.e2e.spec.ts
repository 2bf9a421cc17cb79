import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { loadConfig } from '@idp/config';
import { startEmbedded } from '@idp/embedded';
import { launchChromium, screenshotOnFailure } from '../browser/chromium';
import { startDistributedStack } from '../support/distributed-stack';
import { freePort } from '../support/service-process';
import { ALICE } from './seed';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** One second, so a test waits out the interval quickly. */
const INTERVAL = '1';

/** A TV (public client) allowed the device grant and refresh tokens; alice signs in. */
function writeDeviceSeed(): string {
  const seed = {
    clients: [
      {
        client_id: 'tv',
        client_name: 'Living-room TV',
        grant_types: [DEVICE_GRANT, 'refresh_token'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'none',
        scope: 'openid profile email offline_access',
      },
    ],
    users: [
      {
        sub: ALICE.sub,
        username: ALICE.username,
        password: ALICE.password,
        claims: { name: 'Alice Liddell', email: 'alice@example.test', email_verified: true },
      },
    ],
  };
  const dir = mkdtempSync(join(tmpdir(), 'idp-device-seed-'));
  const file = join(dir, 'seed.json');
  writeFileSync(file, JSON.stringify(seed));
  return file;
}

type Mode = (input: {
  port: number;
  issuer: string;
  seedFile: string;
}) => Promise<{ stop(): Promise<void> }>;

const embedded: Mode = async ({ port, issuer, seedFile }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'idp-device-'));
  const { app } = await startEmbedded(
    loadConfig({
      DATA_DIR: dataDir,
      PORT: String(port),
      ISSUER: issuer,
      SEED_FILE: seedFile,
      LOG_LEVEL: 'warn',
      DEVICE_POLL_INTERVAL: INTERVAL,
    }),
  );
  return {
    async stop() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
};

const distributed: Mode = ({ port, issuer, seedFile }) =>
  startDistributedStack({
    name: 'device',
    issuer,
    seedFile,
    authPort: port,
    env: { DEVICE_POLL_INTERVAL: INTERVAL },
  });

interface DeviceCodes {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

/**
 * RFC 8628 end to end, in both modes: a device (this test, polling /token)
 * and a user (headless Chromium, no JavaScript) meet only through the codes.
 * One stack per mode, three flows on it.
 */
describe.each([
  ['embedded', embedded],
  ['distributed', distributed],
] as const)('device authorization grant, %s mode', (_name, start) => {
  let base: string;
  let stack: { stop(): Promise<void> } | undefined;
  let seedFile: string;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;

  beforeAll(async () => {
    browser = await launchChromium();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    seedFile = writeDeviceSeed();
    stack = await start({ port, issuer: base, seedFile });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    rmSync(join(seedFile, '..'), { recursive: true, force: true });
  });
  afterEach(async () => {
    await context?.close();
    context = undefined;
    page = undefined;
  });

  const post = async (path: string, params: Record<string, string>) => {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const requestCodes = async (scope: string) => {
    const res = await post('/device_authorization', { client_id: 'tv', scope });
    expect(res.status).toBe(200);
    return res.body as unknown as DeviceCodes;
  };
  const poll = (deviceCode: string) =>
    post('/token', { grant_type: DEVICE_GRANT, device_code: deviceCode, client_id: 'tv' });
  const pause = (seconds: number) => new Promise((r) => setTimeout(r, seconds * 1000 + 100));

  /** Polls at the interval until the answer is no longer authorization_pending. */
  async function pollUntilAnswered(codes: DeviceCodes) {
    for (let i = 0; i < 60; i++) {
      await pause(codes.interval);
      const res = await poll(codes.device_code);
      if (res.body.error !== 'authorization_pending') return res;
    }
    throw new Error('the device was never answered');
  }

  /** The user's side: the link from the device, a confirmation, sign-in, then Allow or Deny. */
  async function userAnswers(codes: DeviceCodes, button: 'Allow' | 'Deny') {
    context = await browser!.newContext({ javaScriptEnabled: false });
    page = await context.newPage();
    const p = page;
    await p.goto(codes.verification_uri_complete);
    // RFC 8628 5.4: the code arrives prefilled, but nothing happens until the user submits it.
    await expect(p.getByLabel('Code').inputValue()).resolves.toBe(codes.user_code);
    await p.getByRole('button', { name: 'Continue' }).click();
    await p.getByLabel('Username').fill(ALICE.username);
    await p.getByLabel('Password').fill(ALICE.password);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await expect(p.locator('#user-code').textContent()).resolves.toBe(codes.user_code);
    await expect(p.locator('h1').textContent()).resolves.toBe('Connect Living-room TV?');
    await p.getByRole('button', { name: button }).click();
    return (await p.locator('#device-result').textContent()) ?? '';
  }

  it('advertises the endpoint and the grant type', async () => {
    const doc = (await (await fetch(`${base}/.well-known/openid-configuration`)).json()) as {
      device_authorization_endpoint: string;
      grant_types_supported: string[];
    };
    expect(doc.device_authorization_endpoint).toBe(`${base}/device_authorization`);
    expect(doc.grant_types_supported).toContain(DEVICE_GRANT);
  });

  it('a device polls while a browser approves; the tokens work at /userinfo, once, until logout', async () => {
    const codes = await requestCodes('openid profile email offline_access');
    expect(codes).toMatchObject({
      verification_uri: `${base}/device`,
      interval: Number(INTERVAL),
      expires_in: 600,
    });
    expect(codes.verification_uri_complete).toBe(
      `${base}/device?user_code=${encodeURIComponent(codes.user_code)}`,
    );
    expect(await poll(codes.device_code)).toEqual({
      status: 400,
      body: expect.objectContaining({ error: 'authorization_pending' }),
    });
    const [answered, result] = await Promise.all([
      pollUntilAnswered(codes),
      screenshotOnFailure(
        'device-approve',
        () => page,
        () => userAnswers(codes, 'Allow'),
      ),
    ]);
    expect(result).toBe('You may return to your device.');
    expect(answered.status).toBe(200);
    const tokens = answered.body as Record<string, string>;
    expect(tokens).toMatchObject({
      token_type: 'Bearer',
      scope: 'openid profile email offline_access',
    });
    expect(tokens.id_token).toEqual(expect.any(String));
    expect(tokens.refresh_token).toEqual(expect.any(String));
    const info = await fetch(`${base}/userinfo`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(info.status).toBe(200);
    expect(await info.json()).toMatchObject({ sub: ALICE.sub, email: 'alice@example.test' });
    // Single use.
    await pause(codes.interval);
    expect(await poll(codes.device_code)).toEqual({
      status: 400,
      body: expect.objectContaining({ error: 'invalid_grant' }),
    });
    // The tokens belong to the SSO session that approved: logging out revokes them.
    await page!.goto(`${base}/logout`);
    await page!.getByRole('button', { name: 'Log out' }).click();
    await page!.waitForLoadState('domcontentloaded');
    const after = await fetch(`${base}/userinfo`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(after.status).toBe(401);
    expect(
      await post('/token', {
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token!,
        client_id: 'tv',
      }),
    ).toEqual({ status: 400, body: expect.objectContaining({ error: 'invalid_grant' }) });
  }, 90_000);

  it('a denied request is access_denied', async () => {
    const codes = await requestCodes('openid');
    const [answered, result] = await Promise.all([
      pollUntilAnswered(codes),
      screenshotOnFailure(
        'device-deny',
        () => page,
        () => userAnswers(codes, 'Deny'),
      ),
    ]);
    expect(result).toMatch(/was not connected/);
    expect(answered).toEqual({
      status: 400,
      body: expect.objectContaining({ error: 'access_denied' }),
    });
  }, 90_000);

  it('polling faster than the interval is slow_down', async () => {
    const codes = await requestCodes('openid');
    expect((await poll(codes.device_code)).body.error).toBe('authorization_pending');
    expect(await poll(codes.device_code)).toEqual({
      status: 400,
      body: expect.objectContaining({ error: 'slow_down' }),
    });
  });
});
