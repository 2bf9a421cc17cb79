import { LRUCache } from 'lru-cache';

/**
 * Folded aggregate states kept in memory for at most `maxAgeMs`, for the
 * few aggregates every request reads and that rarely change (clients, the
 * key ring): see ADR 0012. Concurrent misses of one key share one load.
 * A process that changes an aggregate puts the new state here at once
 * (`set`), so it reads its own writes; other replicas see the change within
 * `maxAgeMs`. `maxAgeMs` 0 turns the cache off: every `get` loads.
 *
 * The bound and the shared load are lru-cache's (its `fetch`). A `set` or
 * `delete` aborts the key's load in flight: its caller still gets what it
 * loaded (`ignoreFetchAbort`), but lru-cache stores it only if nothing was
 * written to the key meanwhile, so a load that started before a write never
 * overwrites it. A failed load rejects and leaves the kept state as it was
 * (`noDeleteOnFetchRejection`); nothing is ever served past `maxAgeMs`.
 */
export class RecentStates<State> {
  private readonly entries: LRUCache<string, Kept<State>, () => Promise<State>> | undefined;

  constructor(
    private readonly maxAgeMs: number,
    maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {
    if (maxAgeMs <= 0) return;
    this.entries = new LRUCache({
      max: maxEntries,
      ignoreFetchAbort: true,
      noDeleteOnFetchRejection: true,
      // The age is counted from when the load started, as a write during it would be.
      fetchMethod: async (_key, _stale, { context: load }) => {
        const at = this.now();
        return { state: await load(), at };
      },
    });
  }

  /** The kept state if younger than maxAgeMs, else a load; `fresh` always loads. */
  async get(key: string, load: () => Promise<State>, fresh = false): Promise<State> {
    if (this.entries === undefined) return load();
    // `peek`, not `get`: the age is ours to judge, and recency stays the order of writes.
    const hit = this.entries.peek(key);
    if (!fresh && hit && this.now() - hit.at < this.maxAgeMs) return hit.state;
    // A load already in flight for the key is shared, `fresh` or not.
    const kept = await this.entries.forceFetch(key, { context: load, forceRefresh: true });
    return kept.state;
  }

  /** The state this process just wrote. */
  set(key: string, state: State): void {
    this.entries?.set(key, { state, at: this.now() });
  }

  delete(key: string): void {
    this.entries?.delete(key);
  }
}

interface Kept<State> {
  readonly state: State;
  /** When its load started (or when it was set). */
  readonly at: number;
}
