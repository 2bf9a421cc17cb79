import type { EventStore, StoredEvent } from '@idp/eventstore';

/**
 * Folds every event of the given types, in position order, into one map.
 * The admin API has no list routes, and listing is a read: the CLI scans the
 * log (read only) instead. A full scan, fine for an operator's command; the
 * services never do this.
 */
export async function scanEvents(
  store: EventStore,
  types: ReadonlySet<string>,
  apply: (event: StoredEvent) => void,
  batchSize = 1_000,
): Promise<void> {
  for (let from = '0'; ;) {
    const batch = await store.readAll(from, batchSize);
    for (const event of batch) if (types.has(event.type)) apply(event);
    if (batch.length < batchSize) return;
    from = batch[batch.length - 1]!.position;
  }
}
