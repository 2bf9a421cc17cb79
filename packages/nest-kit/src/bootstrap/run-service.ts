import { type DynamicModule, Logger, Module, type Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHttpApp, listen } from '../http/create-http-app';
import { HealthModule } from '../health/health.module';
import { InfraModule, type InfraBindings, type ReadinessPolicy } from '../infra/infra.module';
import { MetricsModule } from '../metrics/metrics.module';
import { EventBusServer } from '../transport/event-bus.server';
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
}

/**
 * Boots one process: the feature modules over the given adapters (event
 * store, outbox), health and metrics endpoints, the event consumers, the
 * outbox relay and the HTTP listener.
 *
 * Serving does not wait for the consumer groups to join: after a crash the
 * dead member holds its Kafka groups until KAFKA_SESSION_TIMEOUT_MS expires,
 * and no request needs a consumer to be answered correctly (read models
 * lag, and every reader falls back to the source of truth on a miss:
 * docs/operations/restarts.md). Nothing is lost meanwhile: a group resumes
 * from its committed offsets, the outbox keeps what the bus did not take.
 */
export async function runService(
  options: RunServiceOptions,
): Promise<{ app: NestFastifyApplication; url: string; consumersJoined: Promise<void> }> {
  const { bindings } = options;
  const log = new Logger(options.name);
  @Module({
    imports: [
      InfraModule.forRoot(bindings, options.readiness),
      HealthModule,
      MetricsModule,
      ...options.modules,
    ],
  })
  class RootModule {}

  const app = await createHttpApp(RootModule, { logLevel: bindings.config.LOG_LEVEL });
  app.connectMicroservice(
    {
      strategy: new EventBusServer({
        bus: bindings.bus,
        topicPrefix: bindings.config.KAFKA_TOPIC_PREFIX,
      }),
    },
    { inheritAppConfig: true },
  );
  await app.init();
  await options.beforeConsuming?.(app);
  const consumersJoined = startConsumers(app, log);
  if (options.consumers === 'before-serving') await consumersJoined;
  bindings.relay?.start();
  const url = await listen(app, bindings.config.PORT, bindings.config.HOST);
  log.log(`listening on ${url}`);
  return { app, url, consumersJoined };
}
