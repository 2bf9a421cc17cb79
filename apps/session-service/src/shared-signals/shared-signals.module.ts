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
import { TOKEN_RPC, type TokenRpcClient } from '@idp/contracts';
import { outboundClientOf } from '@idp/outbound';
import { DeliveredPruner } from '../backchannel-logout/delivered-pruner';
import { AuthorizationBox } from './authorization-box';
import { PollWakeUps, wakingHeldPolls } from './poll-wake-ups';
import { SetDeadLetters } from './set-dead-letters.service';
import { SetDispatcher } from './set-dispatcher';
import { SetFanOut } from './set-fan-out';
import { SetPolling } from './set-polling.service';
import { httpSetPoster } from './set-poster';
import { setSigner } from './set-signing';
import { SsfEventsConsumer } from './ssf-events.consumer';
import { SSF_STORE, type SsfStore } from './ssf-store.port';
import { SsfStreams } from './ssf-streams.service';
import { observeSetAttempts, reportSsfQueue } from './ssf.metrics';
import { SsfRpcHandlers } from './ssf.rpc-handlers';
import { AUTHORIZATION_BOX, POLL_WAKE_UPS, SET_DISPATCHER, SET_FAN_OUT } from './ssf.tokens';

/** How often poll deliveries past their retention are dead-lettered and old delivered rows pruned. */
const HOUSEKEEPING_MS = 3_600_000;
/**
 * How often held RFC 8936 long polls look for SETs another replica queued:
 * one query per replica per tick for all its held polls (ADR 0035).
 */
const LONG_POLL_RECHECK_MS = 500;

/**
 * The Shared Signals transmitter (issue #19, ADR 0035): streams, the
 * event-to-SET mapping, the SET queue and its dispatcher, SsfRpc. Needs
 * SSF_STORE (bound by the composition root with {@link SsfStoreModule}), the
 * event store and TOKEN_RPC (token-service signs the SETs).
 */
@Module({
  controllers: [SsfEventsConsumer],
  providers: [
    {
      provide: AUTHORIZATION_BOX,
      inject: [CONFIG],
      useFactory: (config: Config) => new AuthorizationBox(config.KEY_ENCRYPTION_KEY),
    },
    {
      provide: SET_DISPATCHER,
      inject: [CONFIG, SSF_STORE, TOKEN_RPC, AUTHORIZATION_BOX],
      useFactory: (
        config: Config,
        store: SsfStore,
        tokens: TokenRpcClient,
        box: AuthorizationBox,
      ) => {
        const log = new Logger('SetDispatcher');
        const outbound = outboundClientOf(config, { timeoutMs: config.SSF_TIMEOUT_MS });
        return new SetDispatcher(
          {
            store,
            sign: setSigner(tokens),
            post: httpSetPoster(outbound, { timeoutMs: config.SSF_TIMEOUT_MS }),
            openAuthorization: (streamId, sealed) => box.open(streamId, sealed),
            onRecorded: (outcomes) => observeSetAttempts(outcomes, Date.now()),
            // Never a SET or a header: these errors are from the database or token-service.
            onError: (what, err) => log.warn(`${what} failed: ${(err as Error).message}`),
          },
          {
            concurrency: config.SSF_CONCURRENCY,
            timeoutMs: config.SSF_TIMEOUT_MS,
            pollMs: config.SSF_POLL_MS,
            schedule: {
              baseMs: config.SSF_BACKOFF_BASE_MS,
              capMs: config.SSF_BACKOFF_CAP_MS,
              maxAttempts: config.SSF_MAX_ATTEMPTS,
            },
          },
        );
      },
    },
    {
      provide: POLL_WAKE_UPS,
      inject: [SSF_STORE],
      useFactory: (store: SsfStore) => {
        const log = new Logger('SetPolling');
        return new PollWakeUps((ids) => store.pollStreamsReady(ids), {
          recheckMs: LONG_POLL_RECHECK_MS,
          onError: (err) => log.warn(`re-checking held polls failed: ${String(err)}`),
        });
      },
    },
    {
      provide: SET_FAN_OUT,
      inject: [SSF_STORE, SET_DISPATCHER, POLL_WAKE_UPS],
      useFactory: (store: SsfStore, dispatcher: SetDispatcher, wakeUps: PollWakeUps) =>
        new SetFanOut(wakingHeldPolls(store, wakeUps), () => dispatcher.wake()),
    },
    SsfStreams,
    SetPolling,
    SetDeadLetters,
    SsfRpcHandlers,
  ],
  exports: [SsfStreams, SET_FAN_OUT],
})
export class SharedSignalsModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger('SharedSignals');
  private readonly pruner: DeliveredPruner;
  private housekeeping: NodeJS.Timeout | undefined;

  constructor(
    @Inject(SET_DISPATCHER) private readonly dispatcher: SetDispatcher,
    @Inject(POLL_WAKE_UPS) private readonly wakeUps: PollWakeUps,
    @Inject(SSF_STORE) private readonly store: SsfStore,
    @Inject(CONFIG) private readonly config: Config,
  ) {
    this.pruner = new DeliveredPruner(store, {
      retentionDays: config.SSF_DELIVERED_RETENTION_DAYS,
      everyMs: HOUSEKEEPING_MS,
      onError: (err) => this.log.warn(`pruning delivered SETs failed: ${String(err)}`),
    });
  }

  onApplicationBootstrap(): void {
    this.dispatcher.start();
    this.pruner.start();
    const expire = () =>
      void this.store
        .expirePolled(Date.now() - this.config.SSF_POLL_RETENTION_SECONDS * 1000, Date.now())
        .catch((err: unknown) => this.log.warn(`expiring polled SETs failed: ${String(err)}`));
    expire();
    this.housekeeping = setInterval(expire, HOUSEKEEPING_MS);
    this.housekeeping.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    // Normally already answered when the process left rotation; a backstop for any other close.
    this.wakeUps.close();
    clearInterval(this.housekeeping);
    await this.pruner.stop();
    await this.dispatcher.stop();
  }
}

/** Binds the transmitter's tables; only main.ts files choose the adapter (PostgreSQL or SQLite). */
@Global()
@Module({})
export class SsfStoreModule implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(SSF_STORE) private readonly store: SsfStore) {}

  onModuleInit(): void {
    reportSsfQueue(this.store);
  }

  static forRoot(store: SsfStore): DynamicModule {
    return {
      module: SsfStoreModule,
      providers: [{ provide: SSF_STORE, useValue: store }],
      exports: [SSF_STORE],
    };
  }

  onApplicationShutdown(): Promise<void> {
    return this.store.close();
  }
}
