import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@idp/config';
import { startEmbedded } from '@idp/embedded';
import { logoutSuite } from './logout.suite';

/** The same logout in one process: in-process RPC, bus and cache, SQLite. */
logoutSuite('embedded mode', async ({ port, issuer, seedFile, env }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'idp-logout-'));
  const { app, adminUrl } = await startEmbedded(
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
    introspectionUrl: issuer,
    adminUrl,
    stop: async () => {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
});
