import { currentActor } from '@idp/eventsourcing';
import { BackchannelRpc, SessionRpc, SsfRpc } from '@idp/contracts';
import type { Actor } from '@idp/contracts';
import type { RpcContract } from '@idp/rpc';
import { BackchannelRpcHandlers } from '../backchannel-logout/backchannel.rpc-handlers';
import { SsfRpcHandlers } from '../shared-signals/ssf.rpc-handlers';
import { SessionRpcHandlers } from './session.rpc-handlers';

/** A service whose every method records the actor it was called as. */
function recorder(seen: (Actor | undefined)[]): never {
  return new Proxy({}, { get: () => async () => (seen.push(currentActor()), []) }) as never;
}

const withActor = (contract: RpcContract) =>
  Object.entries(contract.methods)
    .filter(([, s]) => 'actor' in ((s.request as { shape?: object }).shape ?? {}))
    .map(([method]) => method);

/** ADR 0017: a handler whose request names an actor runs as it; one that forgets fails here. */
describe.each([
  ['SessionRpc', SessionRpc, (s: never) => new SessionRpcHandlers(s)],
  ['BackchannelRpc', BackchannelRpc, (s: never) => new BackchannelRpcHandlers(s)],
  ['SsfRpc', SsfRpc, (s: never) => new SsfRpcHandlers(s, s, s)],
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
    await handlers[method]!({ actor, sid: 's', sub: 'u', reason: 'admin' }).catch(() => undefined);
    expect(seen).toEqual([actor]);
  });
});
