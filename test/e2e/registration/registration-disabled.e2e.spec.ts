import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@idp/config';
import { startEmbedded } from '@idp/embedded';

/**
 * Without INITIAL_ACCESS_TOKEN registration does not exist; without
 * ADMIN_TOKEN the admin API takes only access tokens with an idp:admin
 * scope, and only on the admin listener (ADR 0017).
 */
describe('client registration and admin API switched off (embedded mode)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'idp-registration-off-'));
  let base = '';
  let adminBase = '';
  let stop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const { app, url, adminUrl } = await startEmbedded(
      loadConfig({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' }),
    );
    base = url;
    adminBase = adminUrl;
    stop = () => app.close();
  }, 120_000);
  afterAll(async () => {
    await stop?.();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers /register with 404 and does not advertise it', async () => {
    const res = await fetch(`${base}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer anything' },
      body: JSON.stringify({ redirect_uris: ['https://rp.example.test/cb'] }),
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: 'invalid_request',
      error_description: 'dynamic client registration is not enabled on this server',
    });
    const discovery = await (await fetch(`${base}/.well-known/openid-configuration`)).json();
    expect(discovery).not.toHaveProperty('registration_endpoint');
  });

  it('answers every admin route with 404 on the public port, 401 on the admin port', async () => {
    for (const [method, path] of [
      ['GET', '/admin/users/anyone'],
      ['POST', '/admin/users'],
      ['POST', '/admin/clients'],
      ['DELETE', '/admin/clients/anyone'],
    ] as const) {
      const send = (at: string) =>
        fetch(`${at}${path}`, {
          method,
          headers: { authorization: 'Bearer anything-at-all-0123456789abcdef' },
        });
      const outside = await send(base);
      expect(outside.status).toBe(404);
      expect(await outside.json()).toEqual({
        error: 'invalid_request',
        error_description: 'not found',
      });
      const inside = await send(adminBase);
      expect(inside.status).toBe(401);
      expect(inside.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
    }
  });
});
