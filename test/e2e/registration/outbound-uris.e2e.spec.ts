import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@idp/config';
import { startEmbedded } from '@idp/embedded';
import { freePort } from '../support/service-process';
import { ADMIN_TOKEN, adminRequest, bearer, INITIAL_ACCESS_TOKEN } from './provider';

/**
 * Issue #13 (server-side request forgery) over HTTP: with a production
 * ISSUER and no OUTBOUND_ALLOW, /register and /admin/clients answer 400
 * invalid_client_metadata naming the field for the issue's examples.
 */
describe('registration refuses internal back-channel and jwks URIs (embedded, public ISSUER)', () => {
  let base: string;
  let adminBase: string;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'idp-ssrf-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const { app, adminUrl } = await startEmbedded(
      loadConfig({
        DATA_DIR: dataDir,
        PORT: String(port),
        ISSUER: 'https://idp.example',
        LOG_LEVEL: 'warn',
        INITIAL_ACCESS_TOKEN,
        ADMIN_TOKEN,
      }),
    );
    adminBase = adminUrl;
    stop = async () => {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    };
  });
  afterAll(() => stop());

  const examples = [
    ['https://169.254.169.254/latest/meta-data', '169.254.169.254 is a link-local address'],
    ['http://127.0.0.1:6379/', '127.0.0.1 is a loopback address'],
    ['https://kubernetes.default.svc/api', 'kubernetes.default.svc is a cluster-internal'],
  ] as const;
  const metadata = (field: string, uri: string) => ({
    redirect_uris: ['https://rp.example/cb'],
    ...(field === 'jwks_uri' ? { token_endpoint_auth_method: 'private_key_jwt' } : {}),
    [field]: uri,
  });

  describe.each(['backchannel_logout_uri', 'jwks_uri'])('%s', (field) => {
    it.each(examples)('POST /register %s: 400 invalid_client_metadata', async (uri, why) => {
      const res = await fetch(`${base}/register`, {
        method: 'POST',
        headers: { ...bearer(INITIAL_ACCESS_TOKEN), 'content-type': 'application/json' },
        body: JSON.stringify(metadata(field, uri)),
      });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: string; error_description: string };
      expect(body.error).toBe('invalid_client_metadata');
      expect(body.error_description).toContain(
        `${field} must not point to an internal host: ${why}`,
      );
    });

    it.each(examples)('POST /admin/clients %s: 400 invalid_client_metadata', async (uri, why) => {
      const res = await adminRequest(adminBase, 'POST', '/clients', metadata(field, uri));
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: string; error_description: string };
      expect(body.error).toBe('invalid_client_metadata');
      expect(body.error_description).toContain(
        `${field} must not point to an internal host: ${why}`,
      );
    });
  });

  it('registers a public back-channel URI', async () => {
    const res = await fetch(`${base}/register`, {
      method: 'POST',
      headers: { ...bearer(INITIAL_ACCESS_TOKEN), 'content-type': 'application/json' },
      body: JSON.stringify({
        redirect_uris: ['https://rp.example/cb'],
        backchannel_logout_uri: 'https://rp.example/bcl',
      }),
    });
    expect(res.status).toBe(201);
  });
});
