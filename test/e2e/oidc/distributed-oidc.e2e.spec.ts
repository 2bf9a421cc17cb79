import { startDistributedStack } from '../support/distributed-stack';
import { oidcSuite } from './oidc.suite';

/** The same suite against four processes over gRPC, Kafka, Redis and PostgreSQL. */
oidcSuite('distributed mode', ({ port, issuer, seedFile }) =>
  startDistributedStack({ name: 'oidc', issuer, seedFile, authPort: port }),
);
