import './compile-cache';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfig } from '@idp/config';
import {
  distributedAdapters,
  exitOnShutdownSignals,
  postgresTarget,
  reportStartupFailure,
  RpcClientsModule,
  runService,
  startTracing,
} from '@idp/nest-kit';
import { TokenRpc } from '@idp/contracts';
import { grpcClient } from '@idp/rpc';
import { createDeliveryStore, DeliveryStoreModule } from './backchannel-logout';
import { createSsfStore, SsfStoreModule } from './shared-signals';
import { SessionServiceModule } from './session-service.module';

async function main(): Promise<void> {
  // First: off (no OTEL_EXPORTER_OTLP_ENDPOINT), it loads nothing (docs/operations/traces.md).
  const tracing = await startTracing('session-service', { flushOnSignals: false });
  const config = loadConfig(process.env, { PORT: '3003', ADMIN_PORT: '9102', GRPC_PORT: '50053' });
  const bindings = await distributedAdapters(config, 'session-service', {
    eventStore: true,
    cache: false,
  });
  // The two queues next to the event store, opened side by side once its migrations made the
  // schema (two CREATE SCHEMA IF NOT EXISTS at once can collide): each has its own pool,
  // migrations table and lock, and a restart serves sooner (docs/operations/restarts.md).
  const [deliveries, ssf] = await Promise.all([
    // Back-channel logout: the delivery queue; token-service signs the tokens.
    createDeliveryStore(postgresTarget(config)),
    // Shared Signals (ADR 0035): the streams' working copy and the SET queue.
    createSsfStore(postgresTarget(config)),
  ]);
  const rpcClients = RpcClientsModule.forRoot({
    token: { useValue: grpcClient(TokenRpc, { address: config.TOKEN_SERVICE_GRPC_URL }) },
  });
  const { shutdown } = await runService({
    name: 'session-service',
    // SessionRpc's, BackchannelRpc's and SsfRpc's handlers come with SessionServiceModule (ADR 0023).
    modules: [
      rpcClients,
      DeliveryStoreModule.forRoot(deliveries),
      SsfStoreModule.forRoot(ssf),
      SessionServiceModule,
    ],
    bindings,
    // Sessions are event streams: no session call is answered without the event store.
    readiness: { required: ['event_store'] },
    // One shutdown sequence: HTTP, then gRPC, consumers, outbox, stores (docs/operations/restarts.md).
    grpc: { port: config.GRPC_PORT ?? 50053 },
  });
  // The last stage: export the spans still queued, the shutdown's own included.
  if (tracing !== undefined)
    shutdown.addFinalStage({ name: 'traces', run: () => tracing.shutdown() });
  exitOnShutdownSignals(shutdown, { log: new Logger('session-service') });
}

main().catch((err: unknown) => {
  reportStartupFailure('session-service', err);
  process.exit(1);
});
