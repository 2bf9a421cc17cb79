import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type Config, loadConfig } from '@idp/config';
import { InProcessEventBus } from '@idp/bus';
import { createRedisCache, InMemoryCacheInvalidations, InMemoryReadModelCache } from '@idp/cache';
import { createEventStore, EVENT_STORE, type EventStore } from '@idp/eventstore';
import { HealthModule, InfraModule, type InfraBindings, type Projector } from '@idp/nest-kit';
import { ProjectionsModule } from './projections/projections.module';
import { INTROSPECTION_PROJECTOR } from './projections/projections.module.tokens';
import { describeRebuild, rebuildReadModel } from './replay/read-model-rebuild';
import { RedisReadModelEraser } from './replay/redis.read-model-eraser';

const USAGE = `usage: node apps/introspection-service/dist/cli.js rebuild [--flush] [--embedded]

Rebuilds the introspection read model (introspection:* and read-model:jwks
under REDIS_KEY_PREFIX) by replaying the event store from the beginning
through the projections the live consumer runs. Without --flush it replays
over what is there (idempotent; never revives a revoked token); --flush first
deletes those keys, and only those. Reads the same environment as the
service plus DATABASE_URL and DATABASE_SCHEMA (the event store token-service
writes). --embedded replays DATA_DIR/events.sqlite into memory instead: the
embedded process rebuilds its in-memory read model at every start, so this
only checks the store replays and how fast.`;

interface Args {
  readonly flush: boolean;
  readonly embedded: boolean;
}

function parseArgs(argv: string[]): Args {
  const [command, ...rest] = argv;
  const known = new Set(['--flush', '--embedded']);
  if (command !== 'rebuild' || rest.some((a) => !known.has(a))) throw new Error(USAGE);
  const args = { flush: rest.includes('--flush'), embedded: rest.includes('--embedded') };
  if (args.flush && args.embedded)
    throw new Error(`--flush has no meaning with --embedded\n\n${USAGE}`);
  return args;
}

/**
 * Only the event store and the read-model cache. The bus is an unused
 * in-process one (a rebuild publishes nothing), and the client-invalidation
 * projection's broadcasts stay in this process: callers cached by the live
 * replicas are not part of the read model, old client events mean nothing to them.
 */
async function bindings(config: Config, args: Args): Promise<InfraBindings> {
  const common = {
    config,
    bus: new InProcessEventBus(),
    invalidations: new InMemoryCacheInvalidations(),
  };
  if (args.embedded) {
    const file = join(resolve(config.DATA_DIR), 'events.sqlite');
    if (!existsSync(file)) throw new Error(`no event store at ${file} (DATA_DIR)`);
    return {
      ...common,
      eventStore: await createEventStore({ driver: 'sqlite', file, migrations: 'verify' }),
      cache: new InMemoryReadModelCache({ sweepIntervalMs: 0 }),
    };
  }
  const eventStore = await createEventStore({
    driver: 'postgres',
    url: config.DATABASE_URL,
    schema: config.DATABASE_SCHEMA,
    poolSize: 2,
    applicationName: 'idp-introspection-service-cli',
    // Read only: never alter the schema token-service owns (a read-only role is enough).
    migrations: 'verify',
  });
  try {
    const cache = await createRedisCache({
      url: config.REDIS_URL,
      keyPrefix: config.REDIS_KEY_PREFIX,
      connectionName: 'introspection-service-rebuild',
    });
    return { ...common, eventStore, cache };
  } catch (err) {
    await eventStore.close();
    throw err;
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const config = loadConfig(process.env, { PORT: '0' });
  @Module({
    imports: [InfraModule.forRoot(await bindings(config, args)), HealthModule, ProjectionsModule],
  })
  class CliModule {}
  const app = await NestFactory.createApplicationContext(CliModule, { logger: ['error', 'warn'] });
  try {
    const report = await rebuildReadModel(
      app.get<EventStore>(EVENT_STORE),
      app.get<Projector>(INTROSPECTION_PROJECTOR),
      args.flush
        ? {
            eraser: new RedisReadModelEraser({
              url: config.REDIS_URL,
              keyPrefix: config.REDIS_KEY_PREFIX,
            }),
          }
        : {},
    );
    console.log(`rebuild: ${describeRebuild(report)}`);
  } finally {
    await app.close();
  }
}

main().catch((err: unknown) => {
  console.error(`rebuild failed: ${(err as Error).message}`);
  process.exit(1);
});
