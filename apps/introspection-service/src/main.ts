import './compile-cache';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfig } from '@idp/config';
import {
  AbuseStoresModule,
  distributedAdapters,
  exitOnShutdownSignals,
  redisAbuseStores,
  reportStartupFailure,
  RpcClientsModule,
  runService,
  startTracing,
} from '@idp/nest-kit';
import { TokenRpc } from '@idp/contracts';
import { grpcClient } from '@idp/rpc';
import { IntrospectionServiceModule } from './introspection-service.module';

async function main(): Promise<void> {
  // First: off (no OTEL_EXPORTER_OTLP_ENDPOINT), it loads nothing (docs/operations/traces.md).
  const tracing = await startTracing('introspection-service', { flushOnSignals: false });
  const config = loadConfig(process.env, { PORT: '3002', ADMIN_PORT: '9103' });
  const bindings = await distributedAdapters(config, 'introspection-service', {
    eventStore: false,
    cache: true,
    invalidations: true,
  });
  // Client authentication, read-through on a miss and RFC 9701 signing.
  const rpc = RpcClientsModule.forRoot({
    token: { useValue: grpcClient(TokenRpc, { address: config.TOKEN_SERVICE_GRPC_URL }) },
  });
  const { shutdown } = await runService({
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
  // The last stage: export the spans still queued, the shutdown's own included.
  if (tracing !== undefined)
    shutdown.addFinalStage({ name: 'traces', run: () => tracing.shutdown() });
  exitOnShutdownSignals(shutdown, { log: new Logger('introspection-service') });
}

main().catch((err: unknown) => {
  reportStartupFailure('introspection-service', err);
  process.exit(1);
});
