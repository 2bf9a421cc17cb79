/**
 * Folded aggregate states kept in memory for at most `maxAgeMs`, for the
 * few aggregates every request reads and that rarely change (clients, the
 * key ring): see ADR 0012. Concurrent misses of one key share one load.
 * A process that changes an aggregate puts the new state here at once
 * (`set`), so it reads its own writes; other replicas see the change within
 * `maxAgeMs`. `maxAgeMs` 0 turns the cache off: every `get` loads.
 */
export class RecentStates<State> {
  private readonly entries = new Map<string, { state: State; at: number }>();
  private readonly loading = new Map<string, Promise<State>>();
  /** Bumped by set/delete so a load that started before a write never overwrites it. */
  private generation = 0;

  constructor(
    private readonly maxAgeMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The kept state if younger than maxAgeMs, else a load; `fresh` always loads. */
  async get(key: string, load: () => Promise<State>, fresh = false): Promise<State> {
    if (this.maxAgeMs <= 0) return load();
    const hit = this.entries.get(key);
    if (!fresh && hit && this.now() - hit.at < this.maxAgeMs) return hit.state;
    const pending = this.loading.get(key);
    if (pending) return pending;
    const generation = this.generation;
    const at = this.now();
    const loaded = load().finally(() => this.loading.delete(key));
    this.loading.set(key, loaded);
    const state = await loaded;
    if (generation === this.generation) this.put(key, state, at);
    return state;
  }

  /** The state this process just wrote. */
  set(key: string, state: State): void {
    this.generation++;
    this.loading.delete(key);
    if (this.maxAgeMs > 0) this.put(key, state, this.now());
  }

  delete(key: string): void {
    this.generation++;
    this.loading.delete(key);
    this.entries.delete(key);
  }

  private put(key: string, state: State, at: number): void {
    this.entries.delete(key);
    // Oldest first in insertion order: drop it when full (the map stays bounded).
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { state, at });
  }
}
