import { startDistributedStack, type DistributedStack } from '../support/distributed-stack';
import { busState } from '../support/health';
import { kafka, QUICK_GROUP_TAKEOVER } from '../support/infra';
import { eventsConsumed } from '../support/metrics';
import { waitFor } from '../support/service-process';
import * as fixtures from './introspection.fixtures';

const GROUP = 'introspection-service.read-model';
const { CLIENTS } = fixtures;

/**
 * Issue #4, item 7(d): guarantee 2 does not wait for Kafka. With the broker
 * down, /revoke still succeeds and both replicas answer inactive at once
 * (token-service writes the tombstones synchronously); the revocation events
 * wait in the outbox and are published when the broker is back. Stops the
 * shared broker: run it alone.
 */
describe('revocation during a Kafka outage', () => {
  let stack: DistributedStack;

  beforeAll(async () => {
    stack = await startDistributedStack({
      name: 'outage_revoke',
      seedFile: fixtures.writeIntrospectionSeed(),
      introspectionReplicas: 2,
      env: QUICK_GROUP_TAKEOVER,
    });
  }, 120_000);

  afterAll(async () => {
    kafka.start(); // whatever happened, leave the broker running for the next suite
    await stack?.stop();
  }, 180_000);

  const revokedConsumed = async (): Promise<number> => {
    let sum = 0;
    for (const r of stack.introspection) {
      sum += await eventsConsumed(r, GROUP, 'grant.access_token_revoked');
    }
    return sum;
  };

  const activeOnEveryReplica = async (
    token: string,
    client: { id: string; secret: string },
  ): Promise<(boolean | number)[]> => {
    const out: (boolean | number)[] = [];
    for (const replica of stack.introspection) {
      const res = await fixtures.introspect(replica.url, token, client);
      out.push(res.status === 200 ? res.body['active'] === true : res.status);
    }
    return out;
  };

  it('/revoke succeeds and both replicas answer inactive at once; the events are published when Kafka returns', async () => {
    const opaque = await fixtures.clientCredentialsToken(stack.auth.url, CLIENTS.opaque);
    const jwt = await fixtures.clientCredentialsToken(stack.auth.url, CLIENTS.jwt);
    expect(await activeOnEveryReplica(opaque, CLIENTS.opaque)).toEqual([true, true]);
    expect(await activeOnEveryReplica(jwt, CLIENTS.jwt)).toEqual([true, true]);
    const before = await revokedConsumed();

    kafka.stop();
    await waitFor(
      'token-service notices the outage',
      async () => (await busState(stack.token)) === 'down',
      { timeoutMs: 30_000 },
    );

    // Both issued before the outage, both revoked during it.
    expect(await fixtures.revoke(stack.auth.url, opaque, CLIENTS.opaque)).toBe(200);
    expect(await activeOnEveryReplica(opaque, CLIENTS.opaque)).toEqual([false, false]);
    expect(await fixtures.revoke(stack.auth.url, jwt, CLIENTS.jwt)).toBe(200);
    expect(await activeOnEveryReplica(jwt, CLIENTS.jwt)).toEqual([false, false]);
    expect(await revokedConsumed()).toBe(before); // nothing went through the broker

    kafka.start();
    // The introspection consumer group handled both revocation events: they
    // were published (the outbox drained), not merely retried.
    await waitFor(
      'both revocations consumed',
      async () => (await revokedConsumed()) >= before + 2,
      {
        timeoutMs: 90_000,
        intervalMs: 500,
      },
    );
    expect(await activeOnEveryReplica(opaque, CLIENTS.opaque)).toEqual([false, false]);
    expect(await activeOnEveryReplica(jwt, CLIENTS.jwt)).toEqual([false, false]);
    await stack.token.waitReady(60_000);
  }, 300_000);
});
