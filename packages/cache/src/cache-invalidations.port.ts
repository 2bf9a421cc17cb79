/**
 * Port for "forget this" broadcasts to per-replica local caches (JWKS, client
 * metadata, ...). Delivery is at-most-once and asynchronous: a replica that
 * cannot afford a missed message must honour `onReset` and keep local TTLs
 * short. The authoritative read model stays in ReadModelCache.
 */
export const CACHE_INVALIDATIONS = Symbol('CacheInvalidations');

/**
 * Its result is ignored, but it may be async: a rejected promise is logged and
 * contained like a throw (invoke-handler.ts).
 */
export type InvalidationHandler = (message: string) => unknown;

export type Unsubscribe = () => Promise<void>;

export interface SubscribeOptions {
  /**
   * Called when messages on this channel may have been missed: once when the
   * subscriber connection drops and once when it is subscribed again. The
   * subscriber should drop everything this channel protects.
   */
  readonly onReset?: () => void;
}

export interface CacheInvalidations {
  /** Resolves once the broker accepted the message (not once handlers ran). */
  publish(channel: string, message: string): Promise<void>;
  /**
   * Resolves once the subscription is live, so a publish issued afterwards is
   * heard. The returned function unsubscribes this handler only (idempotent).
   */
  subscribe(
    channel: string,
    handler: InvalidationHandler,
    options?: SubscribeOptions,
  ): Promise<Unsubscribe>;
  /** Drops every subscription of this connection and releases it. Idempotent. */
  close(): Promise<void>;
}
