import type { ReplayStore } from './replay-store.port';

/** Past this many live claims a claim sweeps the expired ones first. */
const SWEEP_ABOVE = 10_000;

/** The embedded mode's ReplayStore: one process, one Map of claim expiries. */
export class InMemoryReplayStore implements ReplayStore {
  private readonly claims = new Map<string, number>();
  private readonly now: () => number;

  constructor(options: { now?: () => number } = {}) {
    this.now = options.now ?? Date.now;
  }

  get storedKeys(): number {
    return this.claims.size;
  }

  async claimOnce(key: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    if (this.claims.size > SWEEP_ABOVE) this.sweep(now);
    const until = this.claims.get(key);
    if (until !== undefined && until > now) return false;
    this.claims.set(key, now + ttlMs);
    return true;
  }

  async ready(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.claims.clear();
  }

  private sweep(now: number): void {
    for (const [key, until] of this.claims) if (until <= now) this.claims.delete(key);
  }
}
