import type { CounterAdd, SharedCounter } from './shared-counter.port';

/** The embedded mode's SharedCounter: one process, one Map. Expired keys go on touch and on sweep. */
export class InMemorySharedCounter implements SharedCounter {
  private readonly totals = new Map<string, { total: number; expiresAt: number }>();
  private readonly now: () => number;

  constructor(options: { now?: () => number } = {}) {
    this.now = options.now ?? Date.now;
  }

  get storedKeys(): number {
    return this.totals.size;
  }

  async add(entries: readonly CounterAdd[], ttlMs: number): Promise<number[]> {
    const now = this.now();
    this.sweep(now);
    return entries.map(({ key, delta }) => {
      const total = (this.totals.get(key)?.total ?? 0) + delta;
      this.totals.set(key, { total, expiresAt: now + ttlMs });
      return total;
    });
  }

  async ready(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.totals.clear();
  }

  private sweep(now: number): void {
    for (const [key, { expiresAt }] of this.totals) if (expiresAt <= now) this.totals.delete(key);
  }
}
