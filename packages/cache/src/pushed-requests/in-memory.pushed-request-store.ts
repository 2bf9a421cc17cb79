import type { PushedRequestEntry, PushedRequestStore } from './pushed-request-store.port';

/**
 * The embedded mode's PushedRequestStore: one process, one Map, so a take is
 * atomic by construction (no await between the read and the delete).
 * Expired entries go on touch and on every save.
 */
export class InMemoryPushedRequestStore implements PushedRequestStore {
  private readonly entries = new Map<string, PushedRequestEntry & { expiresAt: number }>();
  private readonly now: () => number;

  constructor(options: { now?: () => number } = {}) {
    this.now = options.now ?? Date.now;
  }

  /** The handles held (tests check that no request_uri is among them). */
  get handles(): string[] {
    return [...this.entries.keys()];
  }

  async save(handle: string, entry: PushedRequestEntry, ttlMs: number): Promise<void> {
    const now = this.now();
    this.sweep(now);
    this.entries.set(handle, { ...entry, expiresAt: now + ttlMs });
  }

  async redeem(handle: string, clientId: string): Promise<string | undefined> {
    const entry = this.entries.get(handle);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(handle);
      return undefined;
    }
    if (entry.clientId !== clientId) return undefined;
    this.entries.delete(handle);
    return entry.request;
  }

  async ready(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.entries.clear();
  }

  private sweep(now: number): void {
    for (const [handle, { expiresAt }] of this.entries)
      if (expiresAt <= now) this.entries.delete(handle);
  }
}
