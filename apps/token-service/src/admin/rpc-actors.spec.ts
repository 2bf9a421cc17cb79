import { currentActor } from '@idp/eventsourcing';
import { AdminRpc, TokenRpc } from '@idp/contracts';
import type { Actor } from '@idp/contracts';
import type { RpcContract } from '@idp/rpc';
import { TokenRpcHandlers } from '../rpc/token.rpc-handlers';
import { AdminRpcHandlers } from './admin.rpc-handlers';

/** A service whose every method records the actor it was called as. */
function recorder(seen: (Actor | undefined)[]): never {
  const service = new Proxy(
    {},
    { get: () => async () => (seen.push(currentActor()), { keys: [], format: 'jwt', jwt: '' }) },
  );
  return service as never;
}

const withActor = (contract: RpcContract) =>
  Object.entries(contract.methods)
    .filter(([, s]) => 'actor' in ((s.request as { shape?: object }).shape ?? {}))
    .map(([method]) => method);

/**
 * ADR 0017: every handler whose request names an actor runs its work as
 * that actor, so the events it causes name the caller. A handler that
 * forgets runAsActor fails here.
 */
describe.each([
  ['AdminRpc', AdminRpc, (s: never) => new AdminRpcHandlers(s, s, s)],
  [
    'TokenRpc',
    TokenRpc,
    (s: never) => new TokenRpcHandlers(s, s, s, s, s, s, s, s, s, s, s, s, s, s),
  ],
])('%s handlers run as the request actor', (_name, contract, build) => {
  const methods = withActor(contract);
  it('has methods that take an actor', () => expect(methods.length).toBeGreaterThan(0));
  it.each(methods)('%s', async (method) => {
    const seen: (Actor | undefined)[] = [];
    const handlers = build(recorder(seen)) as unknown as Record<
      string,
      (req: object) => Promise<unknown>
    >;
    const actor: Actor = { kind: 'admin_token' };
    await handlers[method]!({ actor, metadata: {}, changes: {}, source: 'admin' }).catch(
      () => undefined,
    );
    expect(seen).toEqual([actor]);
  });
});
