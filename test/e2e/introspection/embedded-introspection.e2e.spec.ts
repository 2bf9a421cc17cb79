import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@idp/config';
import { startEmbedded } from '@idp/embedded';
import {
  basic,
  CLIENTS,
  clientCredentialsToken,
  FORM,
  introspect,
  revoke,
  writeIntrospectionSeed,
} from './introspection.fixtures';

/** The embedded mode serves /introspect on its one port, over the in-memory read model. */
describe('embedded mode: POST /introspect', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'idp-embedded-introspection-'));
  let running: Awaited<ReturnType<typeof startEmbedded>>;

  beforeAll(async () => {
    running = await startEmbedded(
      loadConfig({
        DATA_DIR: dataDir,
        PORT: '0',
        LOG_LEVEL: 'warn',
        OUTBOX_SWEEP_MS: '100',
        SEED_FILE: writeIntrospectionSeed(),
      }),
    );
  }, 60_000);

  afterAll(async () => {
    await running?.app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.each([
    ['opaque', CLIENTS.opaque],
    ['JWT', CLIENTS.jwt],
  ])('a %s token is active at once, and inactive once /revoke returned', async (_f, client) => {
    const token = await clientCredentialsToken(running.url, client);
    const res = await introspect(running.url, token, client);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ active: true, client_id: client.id, token_type: 'Bearer' });
    expect((await introspect(running.url, token, CLIENTS.other)).body).toEqual({ active: false });
    expect(await revoke(running.url, token, client)).toBe(200);
    expect((await introspect(running.url, token, client)).body).toEqual({ active: false });
  });

  it('refuses bad input with RFC errors', async () => {
    const res = await fetch(`${running.url}/introspect`, {
      method: 'POST',
      headers: {
        ...FORM,
        authorization: basic({ id: CLIENTS.opaque.id, secret: 'wrong-secret-value' }),
      },
      body: 'token=x',
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'invalid_client' });
    const garbage = await introspect(running.url, 'garbage', CLIENTS.opaque);
    expect([garbage.status, garbage.body]).toEqual([200, { active: false }]);
  });
});
