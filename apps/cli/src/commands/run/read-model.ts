import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Config } from '@idp/config';
import { InProcessEventBus } from '@idp/bus';
import { createRedisCache, InMemoryCacheInvalidations, InMemoryReadModelCache } from '@idp/cache';
import { EVENT_STORE, type EventStore } from '@idp/eventstore';
import {
  describeRebuild,
  INTROSPECTION_PROJECTOR,
  ProjectionsModule,
  rebuildReadModel,
  RedisReadModelEraser,
} from '@idp/introspection-service';
import { HealthModule, InfraModule, redisConnection, type InfraBindings } from '@idp/nest-kit';
import type { Projector } from '@idp/eventsourcing';
import type { RunContext } from '../../support/command';
import { println } from '../../support/io';
import { ReplayProgress } from '../../support/progress';
import { cliConfig, openEventStore } from '../../support/store';

/**
 * Only the event store and the read-model cache. The bus is an unused
 * in-process one (a rebuild publishes nothing), and the client-invalidation
 * projection's broadcasts stay in this process: callers cached by the live
 * replicas are not part of the read model, old client events mean nothing to them.
 */
async function bindings(config: Config, embedded: boolean): Promise<InfraBindings> {
  const common = {
    config,
    bus: new InProcessEventBus(),
    invalidations: new InMemoryCacheInvalidations(),
  };
  const eventStore = await openEventStore(config, embedded, 'verify');
  if (embedded)
    return { ...common, eventStore, cache: new InMemoryReadModelCache({ sweepIntervalMs: 0 }) };
  try {
    const cache = await createRedisCache({
      ...redisConnection(config),
      keyPrefix: config.REDIS_KEY_PREFIX,
      connectionName: 'idp-cli-rebuild',
    });
    return { ...common, eventStore, cache };
  } catch (err) {
    await eventStore.close();
    throw err;
  }
}

export async function runRebuild({ values, io, usageError }: RunContext): Promise<void> {
  const embedded = values.embedded === true;
  if (values.flush && embedded) throw usageError('--flush has no meaning with --embedded');
  const config = cliConfig(io.env, embedded);
  const infra = await bindings(config, embedded);
  @Module({ imports: [InfraModule.forRoot(infra), HealthModule, ProjectionsModule] })
  class RebuildModule {}
  const app = await NestFactory.createApplicationContext(RebuildModule, {
    logger: ['error', 'warn'],
  });
  const store = app.get<EventStore>(EVENT_STORE);
  const progress = new ReplayProgress(io, { total: await store.countEvents() });
  progress.start();
  try {
    const report = await rebuildReadModel(
      progress.watch(store),
      app.get<Projector>(INTROSPECTION_PROJECTOR),
      values.flush
        ? {
            eraser: new RedisReadModelEraser({
              ...redisConnection(config),
              keyPrefix: config.REDIS_KEY_PREFIX,
            }),
          }
        : {},
    );
    progress.stop();
    println(io.stdout, `rebuild: ${describeRebuild(report)}`);
  } finally {
    progress.stop();
    await app.close();
  }
}
