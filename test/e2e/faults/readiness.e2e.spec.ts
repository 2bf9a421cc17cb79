import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as fixtures from '../introspection/introspection.fixtures';
import { startDistributedStack, type DistributedStack } from '../support/distributed-stack';
import { busState, dependencies, healthUrl } from '../support/health';
import { kafka, QUICK_GROUP_TAKEOVER } from '../support/infra';
import { httpStatus, ROOT, type ServiceProcess, waitFor } from '../support/service-process';

const { CLIENTS } = fixtures;

/**
 * The broker script, without blocking this process: `kafka.stop()` is
 * synchronous, and a readiness probe in flight meanwhile would time out here,
 * not in the service.
 */
const kafkaScript = (action: 'stop' | 'start') =>
  promisify(execFile)('bash', [join(ROOT, 'scripts/infra/kafka.sh'), action], {
    timeout: 120_000,
  });

/**
 * Issue #12 item 4: a Kafka outage is not a reason to take any process out
 * of load balancing. Every process keeps answering 200 on /health/ready while
 * the broker is stopped (and keeps serving: issuance through the outbox,
 * introspection with read-through), /health/dependencies and the
 * idp_dependency_up gauge show the bus down, and both recover when it is
 * back. Stops the shared broker: run it alone.
 */
describe('readiness during a Kafka outage', () => {
  let stack: DistributedStack;
  let all: ServiceProcess[];

  beforeAll(async () => {
    stack = await startDistributedStack({
      name: 'readiness',
      seedFile: fixtures.writeIntrospectionSeed(),
      env: QUICK_GROUP_TAKEOVER,
    });
    all = [stack.token, stack.session, stack.auth, ...stack.introspection];
  }, 120_000);

  afterAll(async () => {
    kafka.start(); // whatever happened, leave the broker running for the next suite
    await stack?.stop();
  }, 180_000);

  /** Polls every process' /health/ready until stopped; keeps every answer that was not 200. */
  function watchReadiness() {
    const notReady: string[] = [];
    let running = true;
    const loop = (async () => {
      while (running) {
        for (const svc of all) {
          const status = await httpStatus(healthUrl(svc, 'ready'));
          if (status !== 200) notReady.push(`${svc.app}: ${status ?? 'no answer'}`);
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    return {
      notReady,
      stop: async () => {
        running = false;
        await loop;
      },
    };
  }

  const busEverywhere = (state: 'up' | 'down') =>
    waitFor(
      `bus ${state} on every process`,
      async () => {
        for (const svc of all) if ((await busState(svc)) !== state) return false;
        return true;
      },
      { timeoutMs: state === 'down' ? 60_000 : 120_000, intervalMs: 500 },
    );

  it('every process stays ready, reports the bus down, keeps serving, and reports it up again', async () => {
    await busEverywhere('up');
    // Informational: the bus never fails readiness, whatever the app.
    for (const svc of all) {
      expect((await dependencies(svc))?.dependencies['bus']).toEqual({
        status: 'up',
        required: false,
      });
    }

    const watch = watchReadiness();
    try {
      await kafkaScript('stop');
      await busEverywhere('down');

      // Serving goes on: a token issued now is committed with its outbox row
      // and active at introspection (read-through to token-service).
      const token = await fixtures.clientCredentialsToken(stack.auth.url, CLIENTS.opaque);
      const res = await fixtures.introspect(stack.introspection[0]!.url, token, CLIENTS.opaque);
      expect(res.status).toBe(200);
      expect(res.body['active']).toBe(true);
      // What readiness does check still is up.
      const tokenReport = await dependencies(stack.token);
      expect(tokenReport).toMatchObject({
        status: 'ready',
        dependencies: { event_store: { status: 'up', required: true } },
      });

      await kafkaScript('start');
      await busEverywhere('up');
    } finally {
      await watch.stop();
    }
    expect(watch.notReady).toEqual([]);
  }, 300_000);
});
