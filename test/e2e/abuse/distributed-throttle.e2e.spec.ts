import { Client } from 'pg';
import { startDistributedStack, type DistributedStack } from '../support/distributed-stack';
import { PG_URL } from '../support/infra';
import { freePort, ServiceProcess } from '../support/service-process';
import { writeSeed } from './abuse.support';
import { THROTTLE_ENV, throttleSuite } from './throttle.suite';

jest.setTimeout(180_000);

/** Two auth-api replicas sharing Redis: one count, one lock. */
describe('distributed mode: sign-in throttling and locks across two auth-api replicas', () => {
  let stack: DistributedStack;
  let second: ServiceProcess;

  beforeAll(async () => {
    const authPort = await freePort();
    stack = await startDistributedStack({
      name: 'abuse_throttle',
      authPort,
      issuer: `http://127.0.0.1:${authPort}`,
      seedFile: writeSeed(),
      env: { LOG_LEVEL: 'warn', ...THROTTLE_ENV },
    });
    second = new ServiceProcess('auth-api', { ...stack.auth.env, PORT: String(await freePort()) });
    second.start();
    await second.waitReady();
  });
  afterAll(async () => {
    await second?.stop();
    await stack?.stop();
  });

  throttleSuite({
    a: () => stack.auth.url,
    b: () => second.url,
    bAdmin: () => second.adminUrl,
    eventsOfType: async (type) => {
      const pg = new Client({ connectionString: PG_URL });
      await pg.connect();
      try {
        const { rows } = await pg.query(
          `SELECT count(*)::int AS n FROM "${stack.env['DATABASE_SCHEMA']}".events WHERE type = $1`,
          [type],
        );
        return (rows[0] as { n: number }).n;
      } finally {
        await pg.end();
      }
    },
  });
});
