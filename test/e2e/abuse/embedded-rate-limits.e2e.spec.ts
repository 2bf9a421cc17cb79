import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ServiceProcess } from '../support/service-process';
import { CLIENT, send, writeSeed } from './abuse.support';
import { rateLimitSuite, SMALL_LIMITS } from './rate-limits.suite';

jest.setTimeout(120_000);

async function embedded(dataDir: string, env: Record<string, string>): Promise<ServiceProcess> {
  const port = await freePort();
  const started = new ServiceProcess('embedded', {
    PORT: String(port),
    ISSUER: `http://127.0.0.1:${port}`,
    DATA_DIR: dataDir,
    SEED_FILE: writeSeed(),
    LOG_LEVEL: 'warn',
    ...env,
  }).start();
  await started.waitReady();
  return started;
}

describe('embedded mode: rate limits', () => {
  const dirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'idp-abuse-rate-')));
  const running: ServiceProcess[] = [];
  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop()));
    dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  });

  describe('small limits through env', () => {
    let process_: ServiceProcess;
    beforeAll(async () => {
      process_ = await embedded(dirs[0]!, SMALL_LIMITS);
      running.push(process_);
    });
    rateLimitSuite({ auth: () => process_.url, introspection: () => process_.url });
  });

  describe('the defaults', () => {
    let process_: ServiceProcess;
    beforeAll(async () => {
      process_ = await embedded(dirs[1]!, {});
      running.push(process_);
    });

    it('are on: a scan of random tokens by one client meets 429s within seconds', async () => {
      const basic = `Basic ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString('base64')}`;
      const started = Date.now();
      let first429: number | undefined;
      let sent = 0;
      const worker = async (w: number) => {
        while (first429 === undefined && Date.now() - started < 15_000) {
          const answer = await send(`${process_.url}/introspect`, {
            headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic },
            body: `token=scan-${w}-${sent++}`,
            // Many addresses: the per-client limit is what stops it.
            from: `127.0.3.${(sent % 250) + 1}`,
          });
          if (answer.status === 429) {
            expect(answer.headers['retry-after']).toMatch(/^[1-9][0-9]*$/);
            first429 ??= Date.now() - started;
          } else expect(answer.status).toBe(200);
        }
      };
      await Promise.all(Array.from({ length: 32 }, (_, w) => worker(w)));
      console.log(`default limits: first 429 after ${first429} ms and ${sent} requests`);
      expect(first429).toBeDefined();
      expect(first429!).toBeLessThan(10_000);
    });
  });
});
