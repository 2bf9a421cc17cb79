import type { AttemptThrottle, AttemptVerdict, ThrottlePolicy } from './attempt-throttle.port';
import {
  beginAttempt,
  EMPTY_RECORD,
  failAttempt,
  refundAttempt,
  type ThrottleRecord,
} from './throttle-rules';

interface Stored {
  record: ThrottleRecord;
  expiresAt: number;
}

/**
 * The embedded mode's AttemptThrottle: one process, so a Map is the shared
 * count. Expired keys are dropped when touched and by a sweep on an unref'd
 * timer, so a scan of random usernames cannot grow it without bound.
 */
export class InMemoryAttemptThrottle implements AttemptThrottle {
  private readonly keys = new Map<string, Stored>();
  private readonly now: () => number;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(options: { now?: () => number; sweepIntervalMs?: number } = {}) {
    this.now = options.now ?? Date.now;
    const every = options.sweepIntervalMs ?? 60_000;
    this.timer = every > 0 ? setInterval(() => this.sweep(), every).unref() : undefined;
  }

  get storedKeys(): number {
    return this.keys.size;
  }

  async begin(key: string, policy: ThrottlePolicy): Promise<AttemptVerdict> {
    const now = this.now();
    const { verdict, record, ttlMs } = beginAttempt(this.read(key, now), policy, now);
    if (ttlMs >= 0) this.keys.set(key, { record, expiresAt: now + ttlMs });
    return verdict;
  }

  async fail(key: string, policy: ThrottlePolicy): Promise<number | undefined> {
    const now = this.now();
    const { lockedUntil, record, ttlMs } = failAttempt(this.read(key, now), policy, now);
    if (ttlMs >= 0) this.keys.set(key, { record, expiresAt: now + ttlMs });
    return lockedUntil;
  }

  async clear(key: string): Promise<boolean> {
    const locked = this.read(key, this.now()).lock > this.now();
    this.keys.delete(key);
    return locked;
  }

  async refund(key: string, policy: ThrottlePolicy): Promise<void> {
    const stored = this.keys.get(key);
    if (stored) stored.record = refundAttempt(stored.record, policy);
  }

  async ready(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.keys.clear();
  }

  sweep(): number {
    const now = this.now();
    let dropped = 0;
    for (const [key, stored] of this.keys) {
      if (stored.expiresAt <= now) {
        this.keys.delete(key);
        dropped += 1;
      }
    }
    return dropped;
  }

  private read(key: string, now: number): ThrottleRecord {
    const stored = this.keys.get(key);
    if (!stored) return EMPTY_RECORD;
    if (stored.expiresAt <= now) {
      this.keys.delete(key);
      return EMPTY_RECORD;
    }
    return stored.record;
  }
}
