import {
  type DynamicModule,
  Global,
  Inject,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { PushedRequestStore } from '@idp/cache';

/** Where auth-api keeps pushed authorization requests (RFC 9126): bound by the composition root. */
export const PUSHED_REQUEST_STORE = Symbol('PushedRequestStore');

class PushedRequestStoreLifecycle implements OnApplicationShutdown {
  constructor(@Inject(PUSHED_REQUEST_STORE) private readonly store: PushedRequestStore) {}

  onApplicationShutdown(): Promise<void> {
    return this.store.close();
  }
}

/**
 * Binds the store of pushed requests: Redis in auth-api's own process, so
 * a request pushed through one replica is redeemed through any other;
 * memory in the embedded process (one replica).
 */
@Global()
@Module({})
export class PushedRequestStoreModule {
  static forRoot(store: PushedRequestStore): DynamicModule {
    return {
      module: PushedRequestStoreModule,
      providers: [{ provide: PUSHED_REQUEST_STORE, useValue: store }, PushedRequestStoreLifecycle],
      exports: [PUSHED_REQUEST_STORE],
    };
  }
}
