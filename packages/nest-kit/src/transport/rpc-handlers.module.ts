import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { RpcHandlerRegistry } from './rpc-handler.registry';

/** Finds the @RpcHandler providers; every process gets it from runService. */
@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [RpcHandlerRegistry],
  exports: [RpcHandlerRegistry],
})
export class RpcHandlersModule {}
