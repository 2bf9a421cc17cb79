/**
 * "Accept this once": the replay check of one-time values (DPoP proof jtis,
 * RFC 9449 11.1; client-assertion jtis, RFC 7523 3) shared by every replica,
 * so a value accepted by one is refused by all the others. Redis in the
 * distributed mode, memory in the embedded mode; one contract suite.
 *
 * Keys are the caller's hashes of the values, never the values themselves.
 */
export interface ReplayStore {
  /**
   * True the first time `key` is claimed, false while an earlier claim lasts.
   * A claim lasts `ttlMs` (at least as long as the value it guards is valid).
   */
  claimOnce(key: string, ttlMs: number): Promise<boolean>;
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

export const REPLAY_STORE = Symbol('ReplayStore');
