import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ServiceProcess } from '../support/service-process';
import { writeSeed } from './abuse.support';
import { FLOOD_ENV, loginFloodSuite } from './login-flood.suite';

jest.setTimeout(120_000);

/** The embedded mode as `npm start` runs it: one OS process, so its VmHWM is everything's. */
describe('embedded mode: a flood of wrong-password sign-ins', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'idp-abuse-embedded-'));
  let process_: ServiceProcess;

  beforeAll(async () => {
    const port = await freePort();
    process_ = new ServiceProcess('embedded', {
      PORT: String(port),
      ISSUER: `http://127.0.0.1:${port}`,
      DATA_DIR: dataDir,
      SEED_FILE: writeSeed(),
      LOG_LEVEL: 'warn',
      ...FLOOD_ENV,
    }).start();
    await process_.waitReady();
  });

  afterAll(async () => {
    await process_?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  loginFloodSuite({ base: () => process_.url, checkerPid: () => process_.pid! });
});
