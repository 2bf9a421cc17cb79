import {
  type DynamicModule,
  Global,
  Inject,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Config } from '@idp/config';
import { createRedisReplayStore, REPLAY_STORE, type ReplayStore } from '@idp/cache';
import { redisConnection } from '../bootstrap/infra-connections';

/**
 * The distributed mode's ReplayStore: every replica of every service that
 * accepts one-time values (auth-api: DPoP proof jtis; token-service:
 * client-assertion jtis) claims them in the same Redis, under one prefix.
 * The callers' keys name what they claim (`dpop:`, `client-assertion:`).
 */
export function redisReplayStore(config: Config, service: string): Promise<ReplayStore> {
  return createRedisReplayStore({
    ...redisConnection(config),
    keyPrefix: `${config.REDIS_KEY_PREFIX}replay:`,
    connectionName: `${service}-replay`,
  });
}

class ReplayStoreLifecycle implements OnApplicationShutdown {
  constructor(@Inject(REPLAY_STORE) private readonly store: ReplayStore) {}

  onApplicationShutdown(): Promise<void> {
    return this.store.close();
  }
}

/**
 * Binds "accept this once" (REPLAY_STORE) for the feature modules of the
 * process: the composition root chooses Redis (distributed) or memory
 * (embedded, where auth-api and token-service share the one instance).
 */
@Global()
@Module({})
export class ReplayStoreModule {
  static forRoot(store: ReplayStore): DynamicModule {
    return {
      module: ReplayStoreModule,
      providers: [{ provide: REPLAY_STORE, useValue: store }, ReplayStoreLifecycle],
      exports: [REPLAY_STORE],
    };
  }
}
