import 'reflect-metadata';
import { loadConfig } from '@idp/config';
import {
  AbuseStoresModule,
  distributedAdapters,
  redisAbuseStores,
  RpcClientsModule,
  runService,
  TokenRpc,
} from '@idp/nest-kit';
import { grpcClient } from '@idp/rpc';
import { IntrospectionServiceModule } from './introspection-service.module';

async function main(): Promise<void> {
  const config = loadConfig(process.env, { PORT: '3002' });
  const bindings = await distributedAdapters(config, 'introspection-service', {
    eventStore: false,
    cache: true,
    invalidations: true,
  });
  // Client authentication, read-through on a miss and RFC 9701 signing.
  const rpc = RpcClientsModule.forRoot({
    token: { useValue: grpcClient(TokenRpc, { address: config.TOKEN_SERVICE_GRPC_URL }) },
  });
  await runService({
    name: 'introspection-service',
    // Rate limits shared by every replica through Redis (ADR 0016).
    modules: [
      rpc,
      AbuseStoresModule.forRoot(await redisAbuseStores(config, 'introspection-service')),
      IntrospectionServiceModule,
    ],
    bindings,
    // Every introspection reads the Redis read model first; Kafka only feeds it.
    readiness: { required: ['read_model_cache'] },
  });
}

main().catch((err: unknown) => {
  console.error(`introspection-service failed to start: ${(err as Error).message}`);
  process.exit(1);
});
