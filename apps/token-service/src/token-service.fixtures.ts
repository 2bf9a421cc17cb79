// Test harness for token-service's specs (no jest globals here, so it also type-checks in the build).
import { Module, type INestApplicationContext, type ModuleMetadata } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryReadModelCache, InMemoryReplayStore } from '@idp/cache';
import { InProcessEventBus, silentBusLogger } from '@idp/bus';
import { loadConfig } from '@idp/config';
import { randomBase64url } from '@idp/crypto';
import { createEventStore, type TypeOrmEventStore } from '@idp/eventstore';
import { HealthModule, InfraModule, ReplayStoreModule } from '@idp/nest-kit';
import { TokenServiceModule } from './token-service.module';

export interface TokenServiceHarness {
  readonly app: INestApplicationContext;
  readonly store: TypeOrmEventStore;
  readonly bus: InProcessEventBus;
  /** Closes the app and deletes the event store's folder. */
  close(): Promise<void>;
}

/**
 * TokenServiceModule (and `modules`) over a real SQLite event store in a
 * fresh temporary folder, the in-process bus and in-memory caches, as the
 * embedded mode runs it. `env` adds settings to fresh random keys.
 */
export async function startTokenServiceHarness(
  env: Record<string, string> = {},
  modules: NonNullable<ModuleMetadata['imports']> = [],
): Promise<TokenServiceHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'token-service-'));
  const store = await createEventStore({ driver: 'sqlite', file: join(dir, 'events.sqlite') });
  const bus = new InProcessEventBus({ logger: silentBusLogger });
  await bus.start();
  const config = loadConfig({
    PORT: '0',
    KEY_ENCRYPTION_KEY: randomBase64url(32),
    TOKEN_HASH_KEY: randomBase64url(32),
    ...env,
  });
  @Module({
    imports: [
      InfraModule.forRoot({
        config,
        bus,
        eventStore: store,
        cache: new InMemoryReadModelCache({ sweepIntervalMs: 0 }),
      }),
      HealthModule,
      ReplayStoreModule.forRoot(new InMemoryReplayStore()),
      TokenServiceModule,
      ...modules,
    ],
  })
  class TestModule {}
  const app = await NestFactory.createApplicationContext(TestModule, { logger: false });
  await app.init();
  return {
    app,
    store,
    bus,
    close: async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
