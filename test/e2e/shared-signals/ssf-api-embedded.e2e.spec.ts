import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@idp/config';
import { startEmbedded } from '@idp/embedded';
import { ssfApiSuite } from './ssf-api.suite';

/** The Shared Signals API in one process: in-process RPC and bus, SQLite. */
ssfApiSuite('embedded mode', async ({ port, issuer, seedFile, env }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'idp-ssf-api-'));
  const { app } = await startEmbedded(
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
    stop: async () => {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
});
