import { badInputProvider } from './bad-input.support';
import { formEndpointsSuite } from './form-endpoints.suite';

/** The body policy table in the embedded mode: every endpoint on one port; nothing is written. */
describe('bad input: every form endpoint, one body policy (embedded)', () => {
  const { provider, writesNothing } = badInputProvider();
  const base = () => provider().base;
  formEndpointsSuite({ token: base, revoke: base, introspect: base, around: writesNothing });
});
