import { join, resolve } from 'node:path';
import type { Config } from '@idp/config';
import { InProcessEventBus } from '@idp/bus';
import {
  InMemoryCacheInvalidations,
  InMemoryPushedRequestStore,
  InMemoryReadModelCache,
  InMemoryReplayStore,
} from '@idp/cache';
import { createEventStore, OutboxRelay } from '@idp/eventstore';
import {
  AbuseStoresModule,
  inMemoryAbuseStores,
  relayHooks,
  ReplayStoreModule,
  runService,
} from '@idp/nest-kit';
import type { Projector } from '@idp/eventsourcing';
import { AuthApiModule, PushedRequestStoreModule } from '@idp/auth-api';
import { INTROSPECTION_PROJECTOR, IntrospectionServiceModule } from '@idp/introspection-service';
import {
  createDeliveryStore,
  createSsfStore,
  DeliveryStoreModule,
  SessionServiceModule,
  SsfStoreModule,
} from '@idp/session-service';
import { AdminModule, LogoutModule, TokenRpcModule, TokenServiceModule } from '@idp/token-service';
import { ensureLocalSecrets } from './local-secrets';
import { inProcessRpc } from './in-process-rpc';

/**
 * The embedded mode: all four services in one process on one port (and one
 * admin port, ADR 0017), over SQLite, the in-process bus and the in-memory
 * cache. The in-memory read models start empty, so they are rebuilt from the
 * event store before the consumers start; the relay then publishes whatever
 * had not been published.
 */
export async function startEmbedded(base: Config) {
  const dataDir = resolve(base.DATA_DIR);
  const config: Config = { ...ensureLocalSecrets(dataDir), ...stripUndefined(base) };
  const eventStore = await createEventStore({
    driver: 'sqlite',
    file: join(dataDir, 'events.sqlite'),
  });
  const deliveries = await createDeliveryStore({
    driver: 'sqlite',
    file: join(dataDir, 'backchannel.sqlite'),
  });
  // Shared Signals (ADR 0035): the streams' working copy and the SET queue.
  const ssf = await createSsfStore({ driver: 'sqlite', file: join(dataDir, 'ssf.sqlite') });
  // The bus lives in memory: a row is marked sent only once every consumer has handled it,
  // so a crash before that publishes it again at the next start (at least once).
  const bus = new InProcessEventBus({ ackWhen: 'consumed' });
  await bus.start();
  const relay = new OutboxRelay(eventStore.outbox, bus, {
    sweepIntervalMs: config.OUTBOX_SWEEP_MS,
    hooks: relayHooks('embedded'),
  });
  const cache = new InMemoryReadModelCache();
  // One process: an in-process hub reaches every local cache (introspection's callers).
  const invalidations = new InMemoryCacheInvalidations();
  const started = await runService({
    name: 'embedded',
    modules: [
      TokenServiceModule,
      // token-service's RPC handlers, called in process by auth-api's clients (inProcessRpc).
      AdminModule,
      TokenRpcModule,
      // token-service's session.ended consumer (logout revokes the session's grants).
      LogoutModule,
      DeliveryStoreModule.forRoot(deliveries),
      SsfStoreModule.forRoot(ssf),
      SessionServiceModule,
      IntrospectionServiceModule,
      inProcessRpc,
      // One process: the abuse controls count in memory (ADR 0016).
      AbuseStoresModule.forRoot(inMemoryAbuseStores()),
      // One process: DPoP proof and client-assertion jtis are claimed in one Map.
      ReplayStoreModule.forRoot(new InMemoryReplayStore()),
      // One replica: pushed authorization requests (RFC 9126) wait in memory.
      PushedRequestStoreModule.forRoot(new InMemoryPushedRequestStore()),
      AuthApiModule,
    ],
    bindings: { config, bus, eventStore, relay, cache, invalidations },
    // SQLite holds everything; the in-memory read model answers introspection.
    readiness: { required: ['event_store', 'read_model_cache'] },
    // The in-process bus joins at once (no dead member can hold a group), so
    // keep the boot order: replay, consumers, relay, then serving.
    consumers: 'before-serving',
    // Its bus acknowledges a publish once consumed: the outbox is flushed while consumers run.
    relayBeforeConsumers: true,
    beforeConsuming: async (app) => {
      await app.get<Projector>(INTROSPECTION_PROJECTOR).replay(eventStore);
    },
  });
  return { ...started, dataDir, eventStore, relay, bus, cache };
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
