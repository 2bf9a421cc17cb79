import {
  type DynamicModule,
  Global,
  Inject,
  Logger,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { Config } from '@idp/config';
import { CONFIG } from '@idp/config';
import { EVENT_BUS, type EventBus } from '@idp/bus';
import {
  CACHE_INVALIDATIONS,
  type CacheInvalidations,
  READ_MODEL_CACHE,
  type ReadModelCache,
} from '@idp/cache';
import { systemClock, uuidv7Ids, type Clock, type IdSource } from '@idp/contracts';
import { EVENT_STORE, type EventStore, type OutboxRelay } from '@idp/eventstore';
import { CommandRunner, outsideActor, stampingActors } from '@idp/eventsourcing';
import { currentContext } from '@idp/observability';
import { HealthRegistry } from '../health/health.registry';

export const OUTBOX_RELAY = Symbol('OutboxRelay');
export const COMMAND_RUNNER = Symbol('CommandRunner');
export const TOPIC_PREFIX = Symbol('TopicPrefix');
/** The process's one `Clock` (ADR 0020). */
export const CLOCK = Symbol('Clock');
/** The process's one source of event ids (ADR 0020). */
export const ID_SOURCE = Symbol('IdSource');

/**
 * The adapters a process runs on, created by its composition root (main.ts):
 * Kafka/PostgreSQL/Redis in the distributed mode, in-process twins in the
 * embedded mode. Feature modules only ever see the port tokens.
 */
export interface InfraBindings {
  readonly config: Config;
  readonly bus: EventBus;
  readonly eventStore?: EventStore;
  readonly relay?: OutboxRelay;
  readonly cache?: ReadModelCache;
  /** "Forget this" broadcasts to every replica's local caches (Redis pub/sub, or in-process). */
  readonly invalidations?: CacheInvalidations;
  /** Default: the system clock. Tests pass a ManualClock to move time without fake timers. */
  readonly clock?: Clock;
  /** Default: UUIDv7 ids from `clock`. */
  readonly ids?: IdSource;
}

/** The dependencies InfraLifecycle reports, by their name in the health endpoints. */
export type InfraDependency = 'bus' | 'event_store' | 'read_model_cache';

export interface ReadinessPolicy {
  /**
   * The dependencies the process cannot answer its requests without: only
   * these fail /health/ready. Each app states its own (docs/operations/health.md).
   */
  readonly required: readonly InfraDependency[];
}

class InfraLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger('Infra');
  constructor(
    @Inject('INFRA_BINDINGS') private readonly b: InfraBindings,
    @Inject('READINESS_POLICY') private readonly policy: ReadinessPolicy,
    private readonly health: HealthRegistry,
  ) {}

  onModuleInit(): void {
    const required = (d: InfraDependency) => ({ required: this.policy.required.includes(d) });
    this.health.register('bus', () => this.b.bus.ready(), required('bus'));
    if (this.b.eventStore)
      this.health.register(
        'event_store',
        () => this.b.eventStore!.ready(),
        required('event_store'),
      );
    if (this.b.cache)
      this.health.register(
        'read_model_cache',
        () => this.b.cache!.ready(),
        required('read_model_cache'),
      );
  }

  /**
   * Stop the relay first (it may be mid-batch), then storage, then the bus
   * (the Kafka producer and admin) last. Nest has closed the consumers
   * before this hook runs (docs/operations/restarts.md, Graceful shutdown).
   */
  async onApplicationShutdown(): Promise<void> {
    const steps: [string, (() => Promise<void>) | undefined][] = [
      ['relay', this.b.relay && (() => this.b.relay!.stop())],
      ['event store', this.b.eventStore && (() => this.b.eventStore!.close())],
      ['cache', this.b.cache && (() => this.b.cache!.close())],
      ['invalidations', this.b.invalidations && (() => this.b.invalidations!.close())],
      ['bus', () => this.b.bus.close()],
    ];
    for (const [name, step] of steps) {
      try {
        await step?.();
      } catch (err) {
        this.log.warn(`closing ${name}: ${(err as Error).message}`);
      }
    }
  }
}

@Global()
@Module({})
export class InfraModule {
  /** `readiness` defaults to nothing required: CLIs and tests serve no probes. */
  static forRoot(
    bindings: InfraBindings,
    readiness: ReadinessPolicy = { required: [] },
  ): DynamicModule {
    // Events appended during an admin call name its caller (ADR 0017), whichever path appends them.
    const eventStore = bindings.eventStore && stampingActors(bindings.eventStore);
    const clock = bindings.clock ?? systemClock;
    const ids = bindings.ids ?? uuidv7Ids(clock);
    const providers = [
      { provide: 'INFRA_BINDINGS', useValue: bindings },
      { provide: 'READINESS_POLICY', useValue: readiness },
      { provide: CONFIG, useValue: bindings.config },
      { provide: EVENT_BUS, useValue: bindings.bus },
      { provide: TOPIC_PREFIX, useValue: bindings.config.KAFKA_TOPIC_PREFIX },
      { provide: CLOCK, useValue: clock },
      { provide: ID_SOURCE, useValue: ids },
      ...(eventStore ? [{ provide: EVENT_STORE, useValue: eventStore }] : []),
      ...(bindings.relay ? [{ provide: OUTBOX_RELAY, useValue: bindings.relay }] : []),
      ...(bindings.cache ? [{ provide: READ_MODEL_CACHE, useValue: bindings.cache }] : []),
      ...(bindings.invalidations
        ? [{ provide: CACHE_INVALIDATIONS, useValue: bindings.invalidations }]
        : []),
      ...(eventStore
        ? [
            {
              provide: COMMAND_RUNNER,
              useValue: new CommandRunner(eventStore, {
                clock,
                ids,
                // Events decided while serving a request carry its id and traceparent.
                requestContext: currentContext,
                // The relay's work is not the caller's: it must not run as the actor.
                afterCommit: () => outsideActor(() => bindings.relay?.notify()),
              }),
            },
          ]
        : []),
      InfraLifecycle,
    ];
    return {
      module: InfraModule,
      providers,
      exports: providers
        .filter((p) => p !== InfraLifecycle)
        .map((p) => (p as { provide: unknown }).provide as symbol),
    };
  }
}
