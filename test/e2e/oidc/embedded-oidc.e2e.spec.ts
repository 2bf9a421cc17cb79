import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@idp/config';
import { startEmbedded } from '@idp/embedded';
import { oidcSuite } from './oidc.suite';

oidcSuite('embedded mode', async ({ port, issuer, seedFile }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'idp-oidc-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    PORT: String(port),
    ISSUER: issuer,
    SEED_FILE: seedFile,
    LOG_LEVEL: 'warn',
  });
  const { app } = await startEmbedded(config);
  return { stop: () => app.close() };
});
