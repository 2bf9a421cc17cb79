import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@idp/config';
import { startEmbedded } from '@idp/embedded';
import { JwksProjection, type JwksReadModel } from '@idp/introspection-service';
import { KeyRingService } from '@idp/token-service';
import { waitFor } from './support/service-process';

type Embedded = Awaited<ReturnType<typeof startEmbedded>>;

const activeKids = (m: JwksReadModel) =>
  Object.values(m.keys)
    .filter((k) => k.status === 'active')
    .map((k) => String(k.jwk.kid))
    .sort();

/**
 * Issue #2's smoke test, embedded mode: one process, SQLite, the in-process
 * bus and cache. Events appended by token-service reach introspection-service's
 * projection, and a restart keeps the data and rebuilds the projection.
 */
describe('embedded mode: all four services in one process', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'idp-embedded-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    PORT: '0',
    LOG_LEVEL: 'warn',
    OUTBOX_SWEEP_MS: '100',
  });
  let running: Embedded | undefined;

  afterAll(async () => {
    await running?.app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves health and metrics on the admin port', async () => {
    running = await startEmbedded(config);
    const ready = await fetch(`${running.adminUrl}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: { event_store: 'up', read_model_cache: 'up' },
    });
    // The in-process bus is informational, as Kafka is in the distributed mode (docs/operations/health.md).
    expect(await (await fetch(`${running.adminUrl}/health/dependencies`)).json()).toEqual({
      status: 'ready',
      dependencies: {
        bus: { status: 'up', required: false },
        event_store: { status: 'up', required: true },
        read_model_cache: { status: 'up', required: true },
      },
    });
    expect((await fetch(`${running.adminUrl}/metrics`)).status).toBe(200);
  });

  it('answers admin routes only on the admin port and public routes only on the public one (ADR 0017)', async () => {
    const notFound = { error: 'invalid_request', error_description: 'not found' };
    for (const path of ['/health/live', '/health/ready', '/metrics', '/admin/users/u-1']) {
      const res = await fetch(`${running!.url}${path}`);
      expect([path, res.status]).toEqual([path, 404]);
      expect(await res.json()).toEqual(notFound);
    }
    for (const [method, path] of [
      ['GET', '/.well-known/openid-configuration'],
      ['GET', '/jwks'],
      ['POST', '/token'],
      ['POST', '/introspect'],
    ] as const) {
      const res = await fetch(`${running!.adminUrl}${path}`, { method });
      expect([path, res.status]).toEqual([path, 404]);
      expect(await res.json()).toEqual(notFound);
    }
    expect((await fetch(`${running!.url}/.well-known/openid-configuration`)).status).toBe(200);
  });

  it('projects the start-up keys and a rotation through the in-process bus', async () => {
    const projection = running!.app.get(JwksProjection);
    await waitFor('start-up keys', async () => (await projection.read()).version === 4);
    await running!.app.get(KeyRingService).rotate('RS256', 60);
    const model = await waitFor('rotation', async () => {
      const m = await projection.read();
      return m.version === 7 ? m : undefined;
    });
    expect(Object.values(model.keys).filter((k) => k.status === 'retired')).toHaveLength(1);
  });

  it('keeps its data across a restart and rebuilds the same read model', async () => {
    const before = await running!.app.get(JwksProjection).read();
    await running!.app.close();
    running = await startEmbedded(config);
    const after = await running.app.get(JwksProjection).read();
    expect(after).toEqual(before); // replayed from SQLite before the consumers started
    expect(activeKids(after)).toEqual(activeKids(before)); // no new keys were generated
  });
});
