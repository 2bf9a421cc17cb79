import type { EventStore } from '@idp/eventstore';

/**
 * The position of the newest event, with no API beyond readAll: positions
 * are gap-free (ARCHITECTURE.md, "Global order"), so an exponential then a
 * binary search over `readAll(p, 1)` finds it in about 2·log2(n) indexed
 * reads. It is also how many events the store holds, which gives the
 * rebuild its ETA and `events tail` its starting point.
 */
export async function lastPosition(store: EventStore): Promise<bigint> {
  const hasAfter = async (p: bigint) => (await store.readAll(p.toString(), 1)).length > 0;
  if (!(await hasAfter(0n))) return 0n;
  let low = 1n; // an event exists at a position >= low
  let high = 2n;
  while (await hasAfter(high - 1n)) {
    low = high;
    high *= 2n;
  }
  // Now: something after low - 1, nothing after high - 1; find the largest p with something after p - 1.
  while (high - low > 1n) {
    const mid = (low + high) / 2n;
    if (await hasAfter(mid - 1n)) low = mid;
    else high = mid;
  }
  // An event after low - 1 exists: its position is the last one when nothing is after low.
  const [event] = await store.readAll((low - 1n).toString(), 1);
  return event ? BigInt(event.position) : low;
}
