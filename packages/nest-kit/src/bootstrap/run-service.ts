import { type DynamicModule, Logger, Module, type Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHttpApp, listen } from '../http/create-http-app';
import { HealthModule } from '../health/health.module';
import { InfraModule, type InfraBindings } from '../infra/infra.module';
import { MetricsModule } from '../metrics/metrics.module';
import { EventBusServer } from '../transport/event-bus.server';

export interface RunServiceOptions {
  readonly name: string;
  readonly modules: readonly (Type<unknown> | DynamicModule)[];
  readonly bindings: InfraBindings;
  /** Runs after the modules are initialised and before consumers and the relay start (embedded replay). */
  readonly beforeConsuming?: (app: NestFastifyApplication) => Promise<void>;
}

/**
 * Boots one process: the feature modules over the given adapters, health and
 * metrics endpoints, the event consumers, the outbox relay and the HTTP
 * listener, in that order, so nothing is published or consumed before the
 * handlers exist.
 */
export async function runService(
  options: RunServiceOptions,
): Promise<{ app: NestFastifyApplication; url: string }> {
  const { bindings } = options;
  @Module({
    imports: [InfraModule.forRoot(bindings), HealthModule, MetricsModule, ...options.modules],
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
  await app.startAllMicroservices();
  bindings.relay?.start();
  const url = await listen(app, bindings.config.PORT, bindings.config.HOST);
  new Logger(options.name).log(`listening on ${url}`);
  return { app, url };
}
