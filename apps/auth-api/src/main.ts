import 'reflect-metadata';
import { loadConfig } from '@idp/config';
import {
  AbuseStoresModule,
  AdminRpc,
  BackchannelRpc,
  distributedAdapters,
  RpcClientsModule,
  runService,
  SessionRpc,
  redisAbuseStores,
  TokenRpc,
} from '@idp/nest-kit';
import { grpcClient } from '@idp/rpc';
import { AuthApiModule } from './auth-api.module';

async function main(): Promise<void> {
  const config = loadConfig(process.env, { PORT: '3000' });
  const bindings = await distributedAdapters(config, 'auth-api', {
    eventStore: false,
    cache: true,
  });
  const rpc = RpcClientsModule.forRoot({
    token: { useValue: grpcClient(TokenRpc, { address: config.TOKEN_SERVICE_GRPC_URL }) },
    session: { useValue: grpcClient(SessionRpc, { address: config.SESSION_SERVICE_GRPC_URL }) },
    // token-service serves AdminRpc on the same gRPC server as TokenRpc.
    admin: { useValue: grpcClient(AdminRpc, { address: config.TOKEN_SERVICE_GRPC_URL }) },
    // session-service serves BackchannelRpc (dead letters) next to SessionRpc.
    backchannel: {
      useValue: grpcClient(BackchannelRpc, { address: config.SESSION_SERVICE_GRPC_URL }),
    },
  });
  await runService({
    name: 'auth-api',
    // Sign-in throttling shared by every replica through Redis (ADR 0016).
    modules: [
      rpc,
      AbuseStoresModule.forRoot(await redisAbuseStores(config, 'auth-api')),
      AuthApiModule,
    ],
    bindings,
    // Nothing of its own: every request goes to token-service or session-service
    // over gRPC (a peer that is down is a 503 per request, and all replicas share it).
    readiness: { required: [] },
  });
}

main().catch((err: unknown) => {
  console.error(`auth-api failed to start: ${(err as Error).message}`);
  process.exit(1);
});
