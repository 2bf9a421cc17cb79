import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { TokenServiceModule } from '../token-service.module';
import { TokenRpcHandlers } from './token.rpc-handlers';

/**
 * token-service's TokenRpc handler, over TokenServiceModule and AdminModule
 * (SessionGrants). Wherever this module is, GrpcServer or the embedded
 * in-process client finds the handler (ADR 0023).
 */
@Module({
  imports: [TokenServiceModule, AdminModule],
  providers: [TokenRpcHandlers],
})
export class TokenRpcModule {}
