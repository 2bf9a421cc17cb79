import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  Global,
  Inject,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { CONFIG, type Config } from '@idp/config';
import { reportScrapeSource } from '@idp/nest-kit';
import { BackchannelRpcHandlers } from './backchannel.rpc-handlers';
import { BACKCHANNEL_DISPATCHER } from './backchannel.tokens';
import { DeadLetters } from './dead-letters.service';
import { DeliveredPruner } from './delivered-pruner';
import { DELIVERY_STORE, type DeliveryStore } from './delivery-store.port';
import type { BackchannelDispatcher } from './dispatcher';
import { dispatcherProvider } from './dispatcher.provider';
import { FanOutScheduler } from './fan-out.scheduler';
import { SessionEndedConsumer } from './session-ended.consumer';

/**
 * OIDC Back-Channel Logout delivery (ADR 0011). Needs DELIVERY_STORE (bound
 * by the composition root with {@link DeliveryStoreModule}), the event store
 * and TOKEN_RPC (token-service signs the logout tokens).
 */
@Module({
  controllers: [SessionEndedConsumer],
  providers: [
    dispatcherProvider,
    FanOutScheduler,
    DeadLetters,
    // BackchannelRpc's handler (ADR 0023).
    BackchannelRpcHandlers,
    {
      provide: DeliveredPruner,
      useFactory: (store: DeliveryStore, config: Config) => {
        const log = new Logger('BackchannelLogout');
        return new DeliveredPruner(store, {
          retentionDays: config.BACKCHANNEL_DELIVERED_RETENTION_DAYS,
          everyMs: 3_600_000,
          onError: (err) => log.warn(`pruning delivered rows failed: ${String(err)}`),
        });
      },
      inject: [DELIVERY_STORE, CONFIG],
    },
  ],
  exports: [DeadLetters, FanOutScheduler],
})
export class BackchannelLogoutModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(BACKCHANNEL_DISPATCHER) private readonly dispatcher: BackchannelDispatcher,
    private readonly pruner: DeliveredPruner,
  ) {}

  onApplicationBootstrap(): void {
    this.dispatcher.start();
    this.pruner.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.pruner.stop();
    await this.dispatcher.stop();
  }
}

/** Binds the delivery queue adapter; only main.ts files choose it (PostgreSQL or SQLite). */
@Global()
@Module({})
export class DeliveryStoreModule implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(DELIVERY_STORE) private readonly store: DeliveryStore) {}

  /** The queue's depth and dead letters are read when Prometheus scrapes. */
  onModuleInit(): void {
    reportScrapeSource('backchannel', this.store);
  }

  static forRoot(store: DeliveryStore): DynamicModule {
    return {
      module: DeliveryStoreModule,
      providers: [{ provide: DELIVERY_STORE, useValue: store }],
      exports: [DELIVERY_STORE],
    };
  }

  onApplicationShutdown(): Promise<void> {
    return this.store.close();
  }
}
