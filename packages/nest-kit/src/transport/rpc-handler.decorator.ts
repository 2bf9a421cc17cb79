import { Injectable } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { RpcContract, RpcHandlers } from '@idp/rpc';

/** Nest's discoverable marker: RpcHandlerRegistry finds the providers that carry it. */
export const RpcServed = DiscoveryService.createDecorator<RpcContract>();

/**
 * Marks a provider as the server half of `contract`: its methods are the
 * contract's methods (checked at compile time against RpcHandlers<C>), and
 * its dependencies are injected like any provider's. Whatever runs the
 * process finds it: GrpcServer in a service's own process, the in-process
 * clients in the embedded one (ADR 0023). Implies @Injectable().
 */
export function RpcHandler<C extends RpcContract>(contract: C) {
  return (target: abstract new (...args: never[]) => RpcHandlers<C>): void => {
    Injectable()(target);
    RpcServed(contract)(target);
  };
}
