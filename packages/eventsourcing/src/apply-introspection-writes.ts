import { encodeRecord, type IntrospectionWrite } from '@idp/domain';

/**
 * The two writes of the read-model cache this needs (`ReadModelCache` of
 * @idp/cache has them, with these meanings): named here so this package
 * depends on no cache adapter.
 */
export interface IntrospectionWriteTarget {
  /** Applies all entries in order as one unit (MULTI/EXEC on Redis). */
  setMany(
    entries: readonly { readonly key: string; readonly value: string; readonly ttlMs?: number }[],
  ): Promise<void>;
  /** SET NX: true iff this call stored the value. */
  setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean>;
}

/**
 * Applies the writes `introspectionWritesFor` (or a read-through) produced to
 * the introspection read model, by the rule of ADR 0008: active records with
 * SET NX, so they never overwrite a tombstone; tombstones with a plain SET.
 * Each entry lives until its `expiresAt` (epoch seconds); one already past it
 * is not written at all (the token is dead anyway).
 *
 * Tombstones go first, in one MULTI/EXEC, so a batch that fails halfway has
 * not stored an active record without the tombstones that came with it.
 * Any cache failure rejects (CacheUnavailableError): the caller decides
 * whether that fails the request (revocation answers 503) or not.
 */
export async function applyIntrospectionWrites(
  cache: IntrospectionWriteTarget,
  writes: readonly IntrospectionWrite[],
  nowMs: number = Date.now(),
): Promise<void> {
  const live = writes.filter((w) => w.expiresAt * 1000 > nowMs);
  const tombstones = live.filter((w) => !w.ifAbsent);
  if (tombstones.length > 0) {
    await cache.setMany(
      tombstones.map((w) => ({
        key: w.key,
        value: encodeRecord(w.record),
        ttlMs: w.expiresAt * 1000 - nowMs,
      })),
    );
  }
  for (const w of live) {
    if (w.ifAbsent) {
      await cache.setIfAbsent(w.key, encodeRecord(w.record), w.expiresAt * 1000 - nowMs);
    }
  }
}
