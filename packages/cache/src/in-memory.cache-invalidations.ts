import { CacheUnavailableError, type CacheLogger, consoleCacheLogger } from './cache-errors';
import type {
  CacheInvalidations,
  InvalidationHandler,
  SubscribeOptions,
  Unsubscribe,
} from './cache-invalidations.port';
import { invokeIsolated } from './invoke-handler';

type Deliver = (message: string) => void;

/**
 * The in-process "broker": one per process in embedded mode. Each
 * InMemoryCacheInvalidations on the same hub behaves like one replica's
 * connection to Redis.
 */
export class InMemoryInvalidationHub {
  private readonly channels = new Map<string, Set<Deliver>>();

  /** Registers a receiver; returns its removal. */
  add(channel: string, deliver: Deliver): () => void {
    let receivers = this.channels.get(channel);
    if (receivers === undefined) {
      receivers = new Set();
      this.channels.set(channel, receivers);
    }
    receivers.add(deliver);
    const registered = receivers;
    return () => {
      registered.delete(deliver);
      if (registered.size === 0 && this.channels.get(channel) === registered) {
        this.channels.delete(channel);
      }
    };
  }

  /** Delivers synchronously, in subscription order; a snapshot so handlers may (un)subscribe. */
  publish(channel: string, message: string): void {
    const receivers = this.channels.get(channel);
    if (receivers === undefined) return;
    for (const deliver of [...receivers]) deliver(message);
  }
}

/**
 * Embedded-mode CacheInvalidations. Delivery happens before `publish`
 * resolves, which is stronger than Redis; consumers must not rely on it (the
 * contract suite only assumes eventual delivery). `onReset` never fires: an
 * in-process hub cannot lose messages.
 */
export class InMemoryCacheInvalidations implements CacheInvalidations {
  private readonly removals = new Set<() => void>();
  private readonly logger: CacheLogger;
  private closed = false;

  constructor(
    private readonly hub: InMemoryInvalidationHub = new InMemoryInvalidationHub(),
    options: { readonly logger?: CacheLogger } = {},
  ) {
    this.logger = options.logger ?? consoleCacheLogger;
  }

  async publish(channel: string, message: string): Promise<void> {
    this.assertOpen();
    this.hub.publish(channel, message);
  }

  async subscribe(
    channel: string,
    handler: InvalidationHandler,
    _options: SubscribeOptions = {},
  ): Promise<Unsubscribe> {
    this.assertOpen();
    const what = `invalidation handler on channel ${channel}`;
    const remove = this.hub.add(channel, (message) =>
      invokeIsolated(() => handler(message), this.logger, what),
    );
    this.removals.add(remove);
    return async () => {
      if (this.removals.delete(remove)) remove();
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const remove of this.removals) remove();
    this.removals.clear();
  }

  private assertOpen(): void {
    if (this.closed) throw new CacheUnavailableError('invalidations connection is closed');
  }
}
