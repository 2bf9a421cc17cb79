import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { loadConfig } from '@idp/config';
import { startEmbedded } from '@idp/embedded';
import { KeyRingService } from '@idp/token-service';
import { freePort } from '../support/service-process';
import { clientKeyPair, writeSeedFile } from './seed';

/**
 * Issue #3, keys: a rotation makes new tokens use the new key at once, while
 * the old key stays in the JWKS so tokens it signed still verify.
 */
describe('signing key rotation (embedded mode)', () => {
  let base = '';
  let stop: () => Promise<void>;
  let keys: KeyRingService;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'idp-rotation-'));
    const seedFile = writeSeedFile(clientKeyPair().publicJwk);
    const { app } = await startEmbedded(
      loadConfig({
        DATA_DIR: dataDir,
        PORT: String(port),
        ISSUER: base,
        SEED_FILE: seedFile,
        LOG_LEVEL: 'warn',
      }),
    );
    keys = app.get(KeyRingService);
    stop = () => app.close();
  });
  afterAll(() => stop());

  const jwtToken = async () => {
    const res = await fetch(`${base}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('batch-job:batch-job-secret-0123456789abcdef').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { access_token: string }).access_token;
  };
  const jwks = async () => (await (await fetch(`${base}/jwks`)).json()) as JSONWebKeySet;

  it('publishes only public keys, one per configured algorithm', async () => {
    const set = await jwks();
    expect(set.keys.map((k) => k.alg).sort()).toEqual(['ES256', 'RS256']);
    for (const k of set.keys) {
      expect(k).not.toHaveProperty('d');
      expect(k).toMatchObject({ use: 'sig', kid: expect.any(String) });
    }
  });

  it('signs with the new key right after a rotation and keeps the old key published', async () => {
    const before = await jwtToken();
    const oldKid = decodeProtectedHeader(before).kid;
    const newKid = await keys.rotate('ES256', 3600);
    const after = await jwtToken();
    expect(decodeProtectedHeader(after).kid).toBe(newKid);

    // The JWKS cache in auth-api lives a few seconds; wait for the new key to appear.
    let set = await jwks();
    for (let i = 0; i < 50 && !set.keys.some((k) => k.kid === newKid); i++) {
      await new Promise((r) => setTimeout(r, 200));
      set = await jwks();
    }
    expect(set.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([oldKid, newKid]));
    const keySet = createLocalJWKSet(set);
    await expect(jwtVerify(before, keySet, { issuer: base, typ: 'at+jwt' })).resolves.toBeDefined();
    await expect(jwtVerify(after, keySet, { issuer: base, typ: 'at+jwt' })).resolves.toBeDefined();
  }, 30_000);
});
