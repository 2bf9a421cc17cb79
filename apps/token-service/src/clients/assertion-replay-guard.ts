import { Injectable } from '@nestjs/common';

/**
 * Remembers client-assertion jtis until they expire, so an intercepted
 * assertion cannot be replayed (RFC 7523 3, item 7). Per process: with
 * several token-service replicas a replay could land on another one within
 * the assertion's short lifetime; a shared store would close that gap.
 */
@Injectable()
export class AssertionReplayGuard {
  private readonly seen = new Map<string, number>();

  /** `now`: seconds since the epoch, from the caller's clock. */
  firstUse(clientId: string, jti: string, exp: number, now: number): boolean {
    if (this.seen.size > 10_000) this.sweep(now);
    const key = `${clientId}\u0000${jti}`;
    const until = this.seen.get(key);
    if (until !== undefined && until > now) return false;
    this.seen.set(key, exp);
    return true;
  }

  private sweep(now: number): void {
    for (const [key, exp] of this.seen) if (exp <= now) this.seen.delete(key);
  }
}
