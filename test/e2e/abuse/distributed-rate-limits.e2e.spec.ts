import { startDistributedStack, type DistributedStack } from '../support/distributed-stack';
import { freePort } from '../support/service-process';
import { SERVICE, send, writeSeed } from './abuse.support';
import { rateLimitSuite, SMALL_LIMITS } from './rate-limits.suite';

jest.setTimeout(180_000);

/** The distributed mode: limits counted in Redis, shared by introspection replicas. */
describe('distributed mode: rate limits', () => {
  let stack: DistributedStack;

  beforeAll(async () => {
    const authPort = await freePort();
    stack = await startDistributedStack({
      name: 'abuse_rate',
      authPort,
      issuer: `http://127.0.0.1:${authPort}`,
      seedFile: writeSeed(),
      introspectionReplicas: 2,
      env: { LOG_LEVEL: 'warn', ...SMALL_LIMITS },
    });
  });
  afterAll(() => stack?.stop());

  rateLimitSuite({ auth: () => stack.auth.url, introspection: () => stack.introspection[0]!.url });

  it('one client spending its burst on one introspection replica is refused by the other', async () => {
    const basic = `Basic ${Buffer.from(`${SERVICE.id}:${SERVICE.secret}`).toString('base64')}`;
    const introspect = (replica: number, from: string) =>
      send(`${stack.introspection[replica]!.url}/introspect`, {
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic },
        body: 'token=x',
        from,
      });
    for (let i = 0; i < 3; i++) expect((await introspect(0, `127.0.4.${i + 1}`)).status).toBe(200);
    // The other replica meets this client for the first time: it may let one through while it
    // asks Redis at once; after that exchange it knows what the first one took.
    expect([200, 429]).toContain((await introspect(1, '127.0.4.8')).status);
    await new Promise((r) => setTimeout(r, 300));
    const refused = await introspect(1, '127.0.4.9');
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toMatch(/^[1-9][0-9]*$/);
  });
});
