import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { RpcBinding, RpcContract, RpcHandlers } from '@idp/rpc';
import { RpcServed } from './rpc-handler.decorator';

/**
 * The @RpcHandler providers of the application, by contract. GrpcServer
 * serves all of them; an in-process client reaches one of them.
 */
@Injectable()
export class RpcHandlerRegistry implements OnApplicationBootstrap {
  private found: Map<string, RpcBinding> | undefined;
  /** Contracts in-process clients were built for: checked once the app is up. */
  private readonly wanted = new Set<RpcContract>();

  constructor(private readonly discovery: DiscoveryService) {}

  /** Every served contract with its handler (GrpcServer's service table). */
  bindings(): RpcBinding[] {
    return [...this.discover().values()];
  }

  /** The handler of `contract`; throws when no provider serves it. */
  handlersFor<C extends RpcContract>(contract: C): RpcHandlers<C> {
    const binding = this.discover().get(contract.service);
    if (!binding || binding.contract !== contract)
      throw new Error(`no @RpcHandler(${contract.service}) provider in this application`);
    return binding.handlers as RpcHandlers<C>;
  }

  /**
   * Handlers that find their provider on the first call. A client is built
   * while Nest is still creating providers, when the handler's may not
   * exist yet; onApplicationBootstrap checks that it does.
   */
  deferred<C extends RpcContract>(contract: C): RpcHandlers<C> {
    this.wanted.add(contract);
    const methods = Object.keys(contract.methods).map((method) => [
      method,
      (request: unknown, context: unknown) =>
        (this.handlersFor(contract) as Record<string, (...args: unknown[]) => unknown>)[method]!(
          request,
          context,
        ),
    ]);
    return Object.fromEntries(methods) as RpcHandlers<C>;
  }

  /** Two handlers of one contract, or a client's contract without one, fail the start. */
  onApplicationBootstrap(): void {
    this.discover();
    for (const contract of this.wanted) this.handlersFor(contract);
  }

  /**
   * Built on first use: from a lifecycle hook or a call, never while Nest is
   * still creating providers (Nest creates them all before the first hook),
   * which is why in-process clients defer their lookup.
   */
  private discover(): Map<string, RpcBinding> {
    return (this.found ??= this.scan());
  }

  private scan(): Map<string, RpcBinding> {
    const found = new Map<string, RpcBinding>();
    for (const wrapper of this.discovery.getProviders({ metadataKey: RpcServed.KEY })) {
      const contract = this.discovery.getMetadataByDecorator(RpcServed, wrapper);
      const handlers = wrapper.instance as RpcHandlers<RpcContract> | undefined;
      if (!contract || !handlers)
        throw new Error(
          `@RpcHandler provider ${wrapper.name} is not instantiated (request scope?)`,
        );
      const bound = found.get(contract.service);
      if (bound && bound.handlers !== handlers)
        throw new Error(`rpc service "${contract.service}" has two @RpcHandler providers`);
      found.set(contract.service, { contract, handlers });
    }
    return found;
  }
}
