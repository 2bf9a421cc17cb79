import { type DynamicModule, Logger, Module, type Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { flushCompileCache } from 'node:module';
import { configureLogging } from '@idp/observability';
import { openAdminListener, separatePlanes, type PlaneRouter } from '../http/admin-plane';
import { clientErrorHandler, createHttpApp, listen } from '../http/create-http-app';
import { HealthModule } from '../health/health.module';
import { HealthRegistry } from '../health/health.registry';
import { HttpDrain } from '../shutdown/http-drain';
import { ProcessShutdown } from '../shutdown/process-shutdown';
import { InfraModule, type InfraBindings, type ReadinessPolicy } from '../infra/infra.module';
import { MetricsModule } from '../metrics/metrics.module';
import { EventBusServer } from '../transport/event-bus.server';
import { GrpcServer } from '../transport/grpc.server';
import { RpcHandlerRegistry } from '../transport/rpc-handler.registry';
import { RpcHandlersModule } from '../transport/rpc-handlers.module';
import { startConsumers } from './start-consumers';

export interface RunServiceOptions {
  readonly name: string;
  readonly modules: readonly (Type<unknown> | DynamicModule)[];
  readonly bindings: InfraBindings;
  /** Which dependencies fail this app's readiness (docs/operations/health.md). */
  readonly readiness: ReadinessPolicy;
  /**
   * `background` (default): serve as soon as the modules are up; the consumer
   * groups join meanwhile. `before-serving`: join first; only for a bus whose
   * join cannot block (the embedded mode's in-process bus).
   */
  readonly consumers?: 'background' | 'before-serving';
  /** Runs after the modules are initialised and before consumers and the relay start (embedded replay). */
  readonly beforeConsuming?: (app: NestFastifyApplication) => Promise<void>;
  /** The bus acknowledges a publish once consumed (embedded): flush the outbox before the consumers stop. */
  readonly relayBeforeConsumers?: boolean;
  /**
   * Serve the app's @RpcHandler providers over gRPC on this port (HOST,
   * GRPC_MAX_CONNECTION_AGE_MS from the config), after the HTTP listeners.
   * Omitted (embedded): in-process clients call the same providers.
   */
  readonly grpc?: { readonly port: number };
}

/**
 * Boots one process: the feature modules over the given adapters (event
 * store, outbox), health and metrics endpoints, the event consumers, the
 * outbox relay, the HTTP listener, the admin listener (ADR 0017) and, for
 * token-service and session-service, the gRPC server (ADR 0023).
 *
 * Serving does not wait for the consumer groups to join: after a crash the
 * dead member holds its Kafka groups until KAFKA_SESSION_TIMEOUT_MS expires,
 * and no request needs a consumer to be answered correctly (read models
 * lag, and every reader falls back to the source of truth on a miss:
 * docs/operations/restarts.md). Nothing is lost meanwhile: a group resumes
 * from its committed offsets, the outbox keeps what the bus did not take.
 */
export async function runService(options: RunServiceOptions): Promise<{
  app: NestFastifyApplication;
  url: string;
  /** The admin listener: /admin/*, /metrics, /health/* (ADR 0017). */
  adminUrl: string;
  consumersJoined: Promise<void>;
  /** The process's one shutdown sequence; main.ts runs it on signals (exitOnShutdownSignals). */
  shutdown: ProcessShutdown;
}> {
  const { bindings } = options;
  // Every logger of the process (Nest's, the bus, rpc, the event store) writes through this one.
  configureLogging({
    service: options.name,
    level: bindings.config.LOG_LEVEL,
    format: bindings.config.LOG_FORMAT,
  });
  const log = new Logger(options.name);
  @Module({
    imports: [
      InfraModule.forRoot(bindings, options.readiness),
      HealthModule,
      MetricsModule,
      RpcHandlersModule,
      ...options.modules,
    ],
  })
  class RootModule {}

  const app = await createHttpApp(RootModule);
  // Admin routes only on their own listener (ADR 0017); Fastify takes hooks only before init.
  const router = app.getHttpAdapter().getInstance() as unknown as PlaneRouter;
  separatePlanes(router);
  const adminListener = openAdminListener(router, clientErrorHandler);
  const consumers = new EventBusServer({
    bus: bindings.bus,
    topicPrefix: bindings.config.KAFKA_TOPIC_PREFIX,
  });
  const consumerTransport = app.connectMicroservice(
    { strategy: consumers },
    { inheritAppConfig: true },
  );
  const rpc =
    options.grpc &&
    new GrpcServer({
      host: bindings.config.HOST,
      port: options.grpc.port,
      maxConnectionAgeMs: bindings.config.GRPC_MAX_CONNECTION_AGE_MS,
      services: () => app.get(RpcHandlerRegistry).bindings(),
    });
  const rpcTransport =
    rpc && app.connectMicroservice({ strategy: rpc }, { inheritAppConfig: true });
  await app.init();
  // After init: a raw route (introspection, ADR 0010) replaces the request listeners then.
  const publicDrain = new HttpDrain(app.getHttpServer());
  await options.beforeConsuming?.(app);
  const consumersJoined = startConsumers(consumerTransport, log);
  if (options.consumers === 'before-serving') await consumersJoined;
  bindings.relay?.start();
  const url = await listen(app, bindings.config.PORT, bindings.config.HOST);
  log.log(`listening on ${url}`);
  // Composition roots give each app its default ADMIN_PORT; a harness that gives none gets a free port.
  const admin = await adminListener.listen(
    bindings.config.ADMIN_PORT ?? 0,
    bindings.config.ADMIN_HOST,
  );
  log.log(`admin listener on ${admin.url}`);
  if (rpc && rpcTransport) {
    // Unlike the consumers, a gRPC server that cannot bind fails the start.
    await rpcTransport.listen();
    log.log(`gRPC on ${bindings.config.HOST}:${rpc.port}`);
  }
  // Node writes the compile cache (main.ts enables it) only at a normal exit: a
  // process that is later killed with -9 would never leave one for its restart.
  flushCompileCache();
  const health = app.get(HealthRegistry);
  const shutdown = new ProcessShutdown({
    markNotReady: (reason) => health.markNotReady(reason),
    listeners: [publicDrain],
    adminListener: new HttpDrain(admin.server),
    consumers,
    ...(bindings.relay && { relay: bindings.relay }),
    relayBeforeConsumers: options.relayBeforeConsumers ?? false,
    // Nest's hooks close what each module holds; InfraLifecycle closes the adapters last.
    closeStores: () => app.close(),
    timeoutMs: bindings.config.SHUTDOWN_TIMEOUT_MS,
    log: new Logger('Shutdown'),
  });
  // Drained in the 'grpc' stage, after HTTP: Nest's own close (in 'stores') then finds it closed.
  if (rpc) shutdown.addRpcServer(rpc);
  return { app, url, adminUrl: admin.url, consumersJoined, shutdown };
}
