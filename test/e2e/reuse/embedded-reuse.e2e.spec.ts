import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@idp/config';
import { startEmbedded } from '@idp/embedded';
import { reuseSuite } from './reuse.suite';

/** Refresh-token reuse in one process: in-process RPC, bus and read model, SQLite. */
reuseSuite('embedded mode', async ({ port, issuer, seedFile, env }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'idp-reuse-'));
  const { app, adminUrl, eventStore } = await startEmbedded(
    loadConfig({
      DATA_DIR: dataDir,
      PORT: String(port),
      ISSUER: issuer,
      SEED_FILE: seedFile,
      LOG_LEVEL: 'warn',
      ...env,
    }),
  );
  return {
    introspectionUrls: [issuer],
    adminUrl,
    events: eventStore,
    stop: async () => {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
});
