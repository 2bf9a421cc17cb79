import {
  type DynamicModule,
  Global,
  Inject,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { CONFIG, type Config } from '@idp/config';
import {
  ATTEMPT_THROTTLE,
  createRedisAttemptThrottle,
  createRedisSharedCounter,
  InMemoryAttemptThrottle,
  InMemorySharedCounter,
  RateLimiter,
  type AttemptThrottle,
  type SharedCounter,
} from '@idp/cache';
import { redisConnection } from '../bootstrap/infra-connections';

/** The shared state of the abuse controls (ADR 0016): Redis in the distributed mode, memory embedded. */
export interface AbuseStores {
  readonly throttle: AttemptThrottle;
  /** What every replica let through, per rate-limit key. */
  readonly counter: SharedCounter;
}

const ABUSE_STORES = Symbol('AbuseStores');

/** Every auth-api replica shares one count per username and IP, under REDIS_KEY_PREFIX. */
export async function redisAbuseStores(config: Config, service: string): Promise<AbuseStores> {
  const connection = {
    ...redisConnection(config),
    keyPrefix: `${config.REDIS_KEY_PREFIX}abuse:`,
    connectionName: `${service}-abuse`,
  };
  return {
    throttle: await createRedisAttemptThrottle(connection),
    counter: await createRedisSharedCounter(connection),
  };
}

export function inMemoryAbuseStores(): AbuseStores {
  return {
    throttle: new InMemoryAttemptThrottle(),
    counter: new InMemorySharedCounter(),
  };
}

class AbuseStoresLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(ABUSE_STORES) private readonly stores: AbuseStores,
    private readonly limiter: RateLimiter,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.limiter.close();
    await this.stores.throttle.close();
    await this.stores.counter.close();
  }
}

/** Binds the abuse-control ports for the feature modules; composition roots choose the adapters. */
@Global()
@Module({})
export class AbuseStoresModule {
  static forRoot(stores: AbuseStores): DynamicModule {
    const providers = [
      { provide: ABUSE_STORES, useValue: stores },
      { provide: ATTEMPT_THROTTLE, useValue: stores.throttle },
      {
        // One limiter per process: its buckets exchange counts every RATE_LIMIT_SYNC_MS.
        provide: RateLimiter,
        useFactory: (config: Config) =>
          new RateLimiter(stores.counter, { syncMs: config.RATE_LIMIT_SYNC_MS }),
        inject: [CONFIG],
      },
    ];
    return {
      module: AbuseStoresModule,
      providers: [...providers, AbuseStoresLifecycle],
      exports: [ATTEMPT_THROTTLE, RateLimiter],
    };
  }
}
