import 'reflect-metadata';
import { loadConfig } from '@idp/config';
import { distributedAdapters, RpcClientsModule, runService, TokenRpc } from '@idp/nest-kit';
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
    modules: [rpc, IntrospectionServiceModule],
    bindings,
  });
}

main().catch((err: unknown) => {
  console.error(`introspection-service failed to start: ${(err as Error).message}`);
  process.exit(1);
});
