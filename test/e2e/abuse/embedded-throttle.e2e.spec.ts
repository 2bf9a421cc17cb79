import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { freePort, ServiceProcess } from '../support/service-process';
import { writeSeed } from './abuse.support';
import { THROTTLE_ENV, throttleSuite } from './throttle.suite';

jest.setTimeout(120_000);

/** The embedded mode: one process, the throttle counts in memory. */
describe('embedded mode: sign-in throttling and locks', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'idp-abuse-throttle-'));
  let embedded: ServiceProcess;

  beforeAll(async () => {
    const port = await freePort();
    embedded = new ServiceProcess('embedded', {
      PORT: String(port),
      ISSUER: `http://127.0.0.1:${port}`,
      DATA_DIR: dataDir,
      SEED_FILE: writeSeed(),
      LOG_LEVEL: 'warn',
      ...THROTTLE_ENV,
    }).start();
    await embedded.waitReady();
  });
  afterAll(async () => {
    await embedded?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  throttleSuite({
    a: () => embedded.url,
    b: () => embedded.url,
    bAdmin: () => embedded.adminUrl,
    eventsOfType: async (type) => {
      const db = new Database(join(dataDir, 'events.sqlite'), { readonly: true });
      try {
        return (
          db.prepare('SELECT count(*) AS n FROM events WHERE type = ?').get(type) as { n: number }
        ).n;
      } finally {
        db.close();
      }
    },
  });
});
