// Test harness for the admin specs (no jest globals here, so it also type-checks in the build).
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
import { OAuthError } from '@idp/oauth-errors';
import { TokenServiceModule } from '../token-service.module';
import { AdminModule } from './admin.module';

export interface AdminHarness {
  readonly app: INestApplicationContext;
  readonly store: TypeOrmEventStore;
  close(): Promise<void>;
}

/** token-service with AdminModule over a real SQLite event store, as the embedded mode runs it. */
export async function startAdminHarness(
  env: Record<string, string> = {},
  modules: NonNullable<ModuleMetadata['imports']> = [],
): Promise<AdminHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'token-admin-'));
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
      AdminModule,
      ...modules,
    ],
  })
  class TestModule {}
  const app = await NestFactory.createApplicationContext(TestModule, { logger: false });
  await app.init();
  return {
    app,
    store,
    close: async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The OAuth error a call failed with, as the edge would render it. */
export async function oauthErrorOf(p: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await p;
  } catch (e) {
    if (e instanceof OAuthError)
      return { error: e.error, status: e.status, description: e.description, headers: e.headers };
    throw e;
  }
  throw new Error('expected an OAuth error');
}

/** A confidential web client's registration request (RFC 7591 3.1). */
export const webMetadata = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  client_name: 'Example RP',
  redirect_uris: ['https://rp.example/cb'],
  grant_types: ['authorization_code', 'refresh_token'],
  ...over,
});
