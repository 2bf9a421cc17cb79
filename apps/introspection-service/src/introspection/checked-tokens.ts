import { LRUCache } from 'lru-cache';

/**
 * What this replica's local check of a token found (a valid MAC and the
 * token's read-model key, a verified signature and its jti), by the token's
 * bytes. Those are facts about the bytes: a MAC or a signature cannot become
 * invalid, so repeated introspections of the same token (a resource server
 * asks on every call it serves) skip the HMACs or the signature check.
 * Revocation is never answered from here: the read model is looked up every
 * time.
 *
 * Bounded: at `max` entries the least recently used goes first (lru-cache),
 * so the tokens resource servers keep presenting stay. Only tokens that passed
 * the check are remembered, so a flood of forged tokens evicts nothing real
 * at a cost above a MAC each. The tokens are held in this process's memory,
 * as they are while a request is served; they are never written anywhere.
 * (T is never undefined or null: lru-cache stores neither.)
 */
export class CheckedTokens<T extends NonNullable<unknown>> {
  /** Undefined when `max` is 0: lru-cache needs a bound of at least 1. */
  private readonly entries: LRUCache<string, T> | undefined;

  /** `max` = 0 remembers nothing: every token is checked every time. */
  constructor(max: number) {
    if (!Number.isInteger(max) || max < 0) throw new RangeError('CheckedTokens: max must be ≥ 0');
    this.entries = max === 0 ? undefined : new LRUCache({ max });
  }

  get size(): number {
    return this.entries?.size ?? 0;
  }

  get(token: string): T | undefined {
    return this.entries?.get(token);
  }

  remember(token: string, value: T): void {
    this.entries?.set(token, value);
  }

  forget(token: string): void {
    this.entries?.delete(token);
  }

  clear(): void {
    this.entries?.clear();
  }
}
