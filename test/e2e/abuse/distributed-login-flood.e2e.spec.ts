import { startDistributedStack, type DistributedStack } from '../support/distributed-stack';
import { freePort } from '../support/service-process';
import { writeSeed } from './abuse.support';
import { FLOOD_ENV, loginFloodSuite } from './login-flood.suite';

jest.setTimeout(180_000);

/** The distributed mode: the password checks run in token-service, whose VmHWM is measured. */
describe('distributed mode: a flood of wrong-password sign-ins', () => {
  let stack: DistributedStack;

  beforeAll(async () => {
    const authPort = await freePort();
    stack = await startDistributedStack({
      authPort,
      issuer: `http://127.0.0.1:${authPort}`,
      name: 'abuse_flood',
      seedFile: writeSeed(),
      env: { LOG_LEVEL: 'warn', ...FLOOD_ENV },
    });
  });
  afterAll(() => stack?.stop());

  loginFloodSuite({ base: () => stack.auth.url, checkerPid: () => stack.token.pid! });
});
