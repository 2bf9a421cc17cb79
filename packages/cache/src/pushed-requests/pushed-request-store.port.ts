/** One pushed authorization request (RFC 9126) as stored: whose it is, and what it asks. */
export interface PushedRequestEntry {
  /** The client that pushed it: only this client may redeem it (RFC 9126 4). */
  readonly clientId: string;
  /** The validated request, serialised by the caller. */
  readonly request: string;
}

/**
 * Pushed authorization requests between POST /par and /authorize (RFC 9126),
 * shared by every auth-api replica: Redis in the distributed mode, memory in
 * the embedded mode; one contract suite (`pushedRequestStoreContract`).
 *
 * `handle` is what the caller derives from the request_uri (a keyed hash),
 * never the request_uri itself: whoever can read the store must not be able
 * to redeem what is in it.
 */
export interface PushedRequestStore {
  /** Keeps `entry` under `handle` for `ttlMs`. */
  save(handle: string, entry: PushedRequestEntry, ttlMs: number): Promise<void>;
  /**
   * Takes the request stored under `handle` for `clientId`, atomically and at
   * most once across every replica: undefined when there is none (unknown,
   * expired, already redeemed). Another client's request is undefined too
   * and stays where it is, so a client that learned a foreign request_uri
   * can neither use nor burn it.
   */
  redeem(handle: string, clientId: string): Promise<string | undefined>;
  ready(): Promise<boolean>;
  close(): Promise<void>;
}
