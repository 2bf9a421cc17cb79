import { inProcessRpcClient, RpcClientsModule } from '@idp/nest-kit';
import { AdminRpc, BackchannelRpc, SessionRpc, SsfRpc, TokenRpc } from '@idp/contracts';

/**
 * In the embedded mode auth-api's RPC clients call token-service's and
 * session-service's @RpcHandler providers directly (TokenRpcModule,
 * AdminModule and SessionServiceModule are in the same application),
 * through the same contracts (validation both ways, errors as OAuth
 * errors) that gRPC uses between processes (ADR 0023).
 */
export const inProcessRpc = RpcClientsModule.forRoot({
  token: inProcessRpcClient(TokenRpc),
  admin: inProcessRpcClient(AdminRpc),
  session: inProcessRpcClient(SessionRpc),
  backchannel: inProcessRpcClient(BackchannelRpc),
  ssf: inProcessRpcClient(SsfRpc),
});
