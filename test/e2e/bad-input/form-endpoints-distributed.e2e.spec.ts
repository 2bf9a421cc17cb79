import { clientKeyPair, writeSeedFile } from '../oidc/seed';
import { startDistributedStack, type DistributedStack } from '../support/distributed-stack';
import { formEndpointsSuite } from './form-endpoints.suite';

/**
 * The body policy table in the distributed mode: /token and /revoke at
 * auth-api (Nest), /introspect at introspection-service (node:http).
 */
describe('bad input: every form endpoint, one body policy (distributed)', () => {
  let stack: DistributedStack;

  beforeAll(async () => {
    stack = await startDistributedStack({
      name: 'badform',
      seedFile: writeSeedFile(clientKeyPair().publicJwk),
    });
  }, 180_000);
  afterAll(() => stack?.stop(), 120_000);

  formEndpointsSuite({
    token: () => stack.auth.url,
    revoke: () => stack.auth.url,
    introspect: () => stack.introspection[0]!.url,
  });
});
