import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  Global,
  Inject,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { BACKCHANNEL_DISPATCHER } from './backchannel.tokens';
import { DeadLetters } from './dead-letters.service';
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
  providers: [dispatcherProvider, FanOutScheduler, DeadLetters],
  exports: [DeadLetters, FanOutScheduler],
})
export class BackchannelLogoutModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(@Inject(BACKCHANNEL_DISPATCHER) private readonly dispatcher: BackchannelDispatcher) {}

  onApplicationBootstrap(): void {
    this.dispatcher.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.dispatcher.stop();
  }
}

/** Binds the delivery queue adapter; only main.ts files choose it (PostgreSQL or SQLite). */
@Global()
@Module({})
export class DeliveryStoreModule implements OnApplicationShutdown {
  constructor(@Inject(DELIVERY_STORE) private readonly store: DeliveryStore) {}

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
