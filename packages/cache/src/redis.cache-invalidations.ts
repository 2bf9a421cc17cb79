import type { Redis } from 'ioredis';
import {
  CacheUnavailableError,
  type CacheLogger,
  consoleCacheLogger,
  toCacheError,
} from './cache-errors';
import type {
  CacheInvalidations,
  InvalidationHandler,
  SubscribeOptions,
  Unsubscribe,
} from './cache-invalidations.port';
import { invokeIsolated } from './invoke-handler';
import {
  closeRedis,
  connectRedis,
  createRedisClient,
  OutageGate,
  type RedisConnectionOptions,
} from './redis-connection';

export interface RedisInvalidationsOptions extends RedisConnectionOptions {
  /** Pub/sub channels are server-wide (not per db): namespace them, e.g. 'idp:'. */
  readonly channelPrefix: string;
}

/** Connects a publisher and a dedicated subscriber (a subscribed connection can do nothing else). */
export async function createRedisInvalidations(
  options: RedisInvalidationsOptions,
): Promise<RedisCacheInvalidations> {
  if (!options.channelPrefix) throw new TypeError('channelPrefix is required (Redis is shared)');
  const name = options.connectionName;
  const publisher = createRedisClient({
    ...options,
    connectionName: name === undefined ? undefined : `${name}:pub`,
  });
  // We resubscribe ourselves so we know when the gap is closed (see onReset).
  const subscriber = createRedisClient(
    { ...options, connectionName: name === undefined ? undefined : `${name}:sub` },
    { autoResubscribe: false },
  );
  try {
    await Promise.all([connectRedis(publisher, options), connectRedis(subscriber, options)]);
  } catch (error) {
    await Promise.all([closeRedis(publisher), closeRedis(subscriber)]);
    throw error;
  }
  return new RedisCacheInvalidations(publisher, subscriber, options);
}

interface Subscription {
  readonly handler: InvalidationHandler;
  readonly onReset: (() => void) | undefined;
}

interface ChannelState {
  readonly subscriptions: Set<Subscription>;
  /** Settles when Redis confirmed SUBSCRIBE; every subscriber of the channel awaits it. */
  readonly live: Promise<void>;
}

/**
 * Redis pub/sub is at-most-once: whatever is published while the subscriber
 * is disconnected is lost. So a dropped subscriber connection opens a "gap":
 * subscribers get `onReset` at once (stop trusting local caches) and again
 * after every channel is subscribed anew (anything cached during the gap may
 * be stale).
 */
export class RedisCacheInvalidations implements CacheInvalidations {
  private readonly channels = new Map<string, ChannelState>();
  private readonly prefix: string;
  private readonly logger: CacheLogger;
  private readonly publisherOutage: OutageGate;
  private inGap = false;
  private closed = false;

  /** Clients should come from `createRedisClient`; the subscriber with `autoResubscribe: false`. */
  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    options: {
      readonly channelPrefix: string;
      readonly logger?: CacheLogger;
      readonly maxRetriesPerRequest?: number;
    },
  ) {
    this.prefix = options.channelPrefix;
    this.publisherOutage = new OutageGate(publisher, options.maxRetriesPerRequest);
    this.logger = options.logger ?? consoleCacheLogger;
    subscriber.on('message', (channel: string, message: string) => this.deliver(channel, message));
    subscriber.on('close', () => this.connectionLost());
    subscriber.on('ready', () => void this.resubscribe());
  }

  async publish(channel: string, message: string): Promise<void> {
    this.assertOpen();
    // The projection retries (its offset is not committed), so fail fast.
    if (this.publisherOutage.down)
      throw new CacheUnavailableError('Redis unavailable (reconnecting)');
    try {
      await this.publisher.publish(this.prefix + channel, message);
    } catch (error) {
      throw toCacheError(error);
    }
  }

  async subscribe(
    channel: string,
    handler: InvalidationHandler,
    options: SubscribeOptions = {},
  ): Promise<Unsubscribe> {
    this.assertOpen();
    const full = this.prefix + channel;
    const subscription: Subscription = { handler, onReset: options.onReset };
    const state = this.channels.get(full) ?? this.openChannel(full);
    state.subscriptions.add(subscription);
    try {
      await state.live;
    } catch (error) {
      state.subscriptions.delete(subscription);
      throw toCacheError(error);
    }
    let subscribed = true;
    return async () => {
      if (!subscribed) return;
      subscribed = false;
      await this.unsubscribe(full, state, subscription);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.channels.clear();
    await Promise.all([closeRedis(this.publisher), closeRedis(this.subscriber)]);
  }

  private openChannel(full: string): ChannelState {
    const state: ChannelState = {
      subscriptions: new Set(),
      live: this.subscriber.subscribe(full).then(() => undefined),
    };
    this.channels.set(full, state);
    // A failed SUBSCRIBE must not leave a channel that looks live to the next caller.
    state.live.catch(() => {
      if (this.channels.get(full) === state) this.channels.delete(full);
    });
    return state;
  }

  private async unsubscribe(full: string, state: ChannelState, subscription: Subscription) {
    state.subscriptions.delete(subscription);
    if (state.subscriptions.size > 0 || this.channels.get(full) !== state) return;
    this.channels.delete(full);
    if (this.closed) return;
    // Best effort: the handler is already gone locally, and a reconnect drops
    // server-side subscriptions we no longer track anyway.
    await this.subscriber.unsubscribe(full).catch(() => undefined);
  }

  private deliver(full: string, message: string): void {
    const state = this.channels.get(full);
    if (state === undefined) return;
    const what = `invalidation handler on channel ${full}`;
    for (const { handler } of [...state.subscriptions]) {
      invokeIsolated(() => handler(message), this.logger, what);
    }
  }

  private connectionLost(): void {
    // 'close' repeats on every failed reconnect attempt; one gap, one reset.
    if (this.closed || this.inGap) return;
    this.inGap = true;
    this.resetAll();
  }

  private async resubscribe(): Promise<void> {
    if (this.closed || !this.inGap) return;
    const channels = [...this.channels.keys()];
    try {
      if (channels.length > 0) await this.subscriber.subscribe(...channels);
    } catch (error) {
      this.logger.warn(`invalidations: resubscribe failed: ${toCacheError(error).message}`);
      this.subscriber.disconnect(true); // try again on a fresh connection
      return;
    }
    this.inGap = false;
    this.resetAll();
  }

  private resetAll(): void {
    for (const [full, state] of this.channels) {
      for (const { onReset } of [...state.subscriptions]) {
        if (onReset) invokeIsolated(onReset, this.logger, `invalidation reset on channel ${full}`);
      }
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new CacheUnavailableError('invalidations connection is closed');
  }
}
