import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfig } from '@idp/config';
import {
  BackchannelRpc,
  distributedAdapters,
  exitOnShutdownSignals,
  postgresTarget,
  reportStartupFailure,
  RpcClientsModule,
  runService,
  SessionRpc,
  TokenRpc,
  startTracing,
} from '@idp/nest-kit';
import { createRpcServer, grpcClient } from '@idp/rpc';
import {
  backchannelRpcHandlers,
  createDeliveryStore,
  DeadLetters,
  DeliveryStoreModule,
} from './backchannel-logout';
import { SessionServiceModule } from './session-service.module';
import { SessionService } from './sessions/session.service';
import { sessionRpcHandlers } from './sessions/session.rpc-handlers';

async function main(): Promise<void> {
  // First: off (no OTEL_EXPORTER_OTLP_ENDPOINT), it loads nothing (docs/operations/traces.md).
  const tracing = await startTracing('session-service', { flushOnSignals: false });
  const config = loadConfig(process.env, { PORT: '3003', ADMIN_PORT: '9102', GRPC_PORT: '50053' });
  const bindings = await distributedAdapters(config, 'session-service', {
    eventStore: true,
    cache: false,
  });
  // Back-channel logout: the delivery queue next to the event store; token-service signs the tokens.
  const deliveries = await createDeliveryStore(postgresTarget(config));
  const rpcClients = RpcClientsModule.forRoot({
    token: { useValue: grpcClient(TokenRpc, { address: config.TOKEN_SERVICE_GRPC_URL }) },
  });
  const { app, shutdown } = await runService({
    name: 'session-service',
    modules: [rpcClients, DeliveryStoreModule.forRoot(deliveries), SessionServiceModule],
    bindings,
    // Sessions are event streams: no session call is answered without the event store.
    readiness: { required: ['event_store'] },
  });
  const handlers = sessionRpcHandlers(app.get(SessionService));
  const rpc = await createRpcServer({
    host: config.HOST,
    port: config.GRPC_PORT ?? 50053,
    maxConnectionAgeMs: config.GRPC_MAX_CONNECTION_AGE_MS,
    services: [
      { contract: SessionRpc, handlers },
      { contract: BackchannelRpc, handlers: backchannelRpcHandlers(app.get(DeadLetters)) },
    ],
  });
  const log = new Logger('session-service');
  log.log(`gRPC on ${config.HOST}:${rpc.port}`);
  // One shutdown sequence: HTTP, then gRPC, consumers, outbox, stores (docs/operations/restarts.md).
  shutdown.addRpcServer(rpc);
  // The last stage: export the spans still queued, the shutdown's own included.
  if (tracing !== undefined)
    shutdown.addFinalStage({ name: 'traces', run: () => tracing.shutdown() });
  exitOnShutdownSignals(shutdown, { log });
}

main().catch((err: unknown) => {
  reportStartupFailure('session-service', err);
  process.exit(1);
});
