/**
 * What this replica's local check of a token found (a valid MAC and the
 * token's read-model key, a verified signature and its jti), by the token's
 * bytes. Those are facts about the bytes: a MAC or a signature cannot become
 * invalid, so repeated introspections of the same token (a resource server
 * asks on every call it serves) skip the HMACs or the signature check.
 * Revocation is never answered from here: the read model is looked up every
 * time.
 *
 * Bounded: at `max` entries the oldest goes first. Only tokens that passed
 * the check are remembered, so a flood of forged tokens evicts nothing real
 * at a cost above a MAC each. The tokens are held in this process's memory,
 * as they are while a request is served; they are never written anywhere.
 */
export class CheckedTokens<T> {
  private readonly entries = new Map<string, T>();

  /** `max` = 0 remembers nothing: every token is checked every time. */
  constructor(private readonly max: number) {
    if (!Number.isInteger(max) || max < 0) throw new RangeError('CheckedTokens: max must be ≥ 0');
  }

  get size(): number {
    return this.entries.size;
  }

  get(token: string): T | undefined {
    return this.entries.get(token);
  }

  remember(token: string, value: T): void {
    if (this.max === 0) return;
    if (this.entries.size >= this.max && !this.entries.has(token)) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(token, value);
  }

  forget(token: string): void {
    this.entries.delete(token);
  }

  clear(): void {
    this.entries.clear();
  }
}
