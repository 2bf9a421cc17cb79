import { startDistributedStack } from '../support/distributed-stack';
import { ssfApiSuite } from './ssf-api.suite';

/** The Shared Signals API across four processes: auth-api → session-service over gRPC, Kafka, PostgreSQL. */
ssfApiSuite('distributed mode', async ({ port, issuer, seedFile, env }) => {
  const stack = await startDistributedStack({
    name: 'ssf_api',
    issuer,
    seedFile,
    authPort: port,
    env,
  });
  return { stop: () => stack.stop() };
});
