import './compile-cache';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfig } from '@idp/config';
import {
  distributedAdapters,
  exitOnShutdownSignals,
  redisReplayStore,
  ReplayStoreModule,
  reportStartupFailure,
  runService,
  startTracing,
} from '@idp/nest-kit';
import { AdminModule } from './admin/admin.module';
import { LogoutModule } from './logout/logout.module';
import { TokenRpcModule } from './rpc/token-rpc.module';
import { TokenServiceModule } from './token-service.module';

async function main(): Promise<void> {
  // First: off (no OTEL_EXPORTER_OTLP_ENDPOINT), it loads nothing (docs/operations/traces.md).
  const tracing = await startTracing('token-service', { flushOnSignals: false });
  const config = loadConfig(process.env, { PORT: '3001', ADMIN_PORT: '9101', GRPC_PORT: '50051' });
  const bindings = await distributedAdapters(config, 'token-service', {
    eventStore: true,
    // Revocations write their tombstones to the introspection read model (ADR 0008).
    cache: true,
  });
  const { shutdown } = await runService({
    name: 'token-service',
    // TokenRpc's and AdminRpc's handlers come with TokenRpcModule and AdminModule (ADR 0023).
    modules: [
      // Client-assertion jtis are accepted once across every replica (RFC 7523 3).
      ReplayStoreModule.forRoot(await redisReplayStore(config, 'token-service')),
      TokenServiceModule,
      AdminModule,
      LogoutModule,
      TokenRpcModule,
    ],
    bindings,
    // Every grant, client, user and key lives in the event store. Redis only takes
    // revocation tombstones and client-assertion jtis (those calls fail alone);
    // Kafka sits behind the outbox.
    readiness: { required: ['event_store'] },
    // One shutdown sequence: HTTP, then gRPC, consumers, outbox, stores (docs/operations/restarts.md).
    grpc: { port: config.GRPC_PORT ?? 50051 },
  });
  // The last stage: export the spans still queued, the shutdown's own included.
  if (tracing !== undefined)
    shutdown.addFinalStage({ name: 'traces', run: () => tracing.shutdown() });
  exitOnShutdownSignals(shutdown, { log: new Logger('token-service') });
}

main().catch((err: unknown) => {
  reportStartupFailure('token-service', err);
  process.exit(1);
});
