import { inProcessClient, type ClosableRpcClient, type RpcContract } from '@idp/rpc';
import { RpcHandlerRegistry } from '../transport/rpc-handler.registry';

/**
 * A client provider (for RpcClientsModule) calling the @RpcHandler provider
 * of `contract` in this process: the embedded mode's binding of the same
 * handlers GrpcServer serves between processes, through the same
 * validation, error mapping and deadlines (ADR 0005, ADR 0023).
 */
export function inProcessRpcClient<C extends RpcContract>(contract: C) {
  return {
    useFactory: (registry: RpcHandlerRegistry): ClosableRpcClient<C> =>
      inProcessClient(contract, registry.deferred(contract)),
    inject: [RpcHandlerRegistry],
  };
}
