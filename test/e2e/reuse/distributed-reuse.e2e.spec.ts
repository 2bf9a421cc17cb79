import { createEventStore } from '@idp/eventstore';
import { startDistributedStack } from '../support/distributed-stack';
import { reuseSuite } from './reuse.suite';

/**
 * Refresh-token reuse across the services over gRPC, Kafka, Redis and
 * PostgreSQL, with two introspection-service replicas: both must answer the
 * session's tokens inactive once /token has answered invalid_grant.
 */
reuseSuite('distributed mode', async ({ port, issuer, seedFile, env }) => {
  const stack = await startDistributedStack({
    name: 'reuse',
    issuer,
    seedFile,
    authPort: port,
    introspectionReplicas: 2,
    env,
  });
  // A reader of the services' schema (they migrated it): the chain is checked where it is stored.
  const events = await createEventStore({
    driver: 'postgres',
    url: stack.env['DATABASE_URL']!,
    schema: stack.env['DATABASE_SCHEMA']!,
    migrations: 'verify',
    poolSize: 2,
  });
  return {
    introspectionUrls: stack.introspection.map((p) => p.url),
    adminUrl: stack.auth.adminUrl,
    events,
    stop: async () => {
      await events.close();
      await stack.stop();
    },
  };
});
