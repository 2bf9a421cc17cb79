import { LRUCache } from 'lru-cache';
import type { ClientAuthentication } from '@idp/contracts';
import { randomBase64url, sha256Base64url } from '@idp/crypto';

/** Bounded so a flood of distinct (wrong) credentials cannot grow memory; wrong ones are never stored anyway. */
const MAX_ENTRIES = 10_000;

/**
 * Callers this replica authenticated recently, by a salted SHA-256 of the
 * credentials they presented (the salt is random per process: the secret is
 * never held in clear, and the hashes mean nothing elsewhere; one-shot
 * `hash` is several times cheaper than an HMAC object on this hot path, and
 * the digests are only compared within this process, so length extension
 * is of no use to anyone). Concurrent
 * requests with the same credentials share one authentication (lru-cache's
 * fetch). `clear()` drops everything, in-flight authentications included, so
 * a rotated secret or a deleted client cannot come back from an answer given
 * before it.
 * Client assertions (client_secret_jwt, private_key_jwt) are single use: never cached.
 */
export class CallerCache {
  private readonly entries: LRUCache<string, string, () => Promise<string>>;
  private readonly salt = randomBase64url(32);

  constructor(ttlMs: number, clock: () => number = Date.now) {
    if (!(ttlMs >= 1)) throw new RangeError('CallerCache: ttlMs must be ≥ 1');
    this.entries = new LRUCache({
      max: MAX_ENTRIES,
      // lru-cache counts an entry stale once it is strictly older than ttl; ours expire at ttl.
      ttl: Math.max(1, ttlMs - 1),
      // Read the clock on every check (no 1 ms cache of "now"), so an injected clock rules.
      ttlResolution: 0,
      perf: { now: clock },
      fetchMethod: (_key, _stale, { context }) => context(),
      // clear() aborts an authentication in flight: the requests already waiting still get
      // its answer (they asked before the change), but it is not stored. A failure never is.
      ignoreFetchAbort: true,
    });
  }

  get size(): number {
    return this.entries.size;
  }

  /** The caller's client_id, from the cache or from `authenticate` (whose failures are never cached). */
  async clientId(auth: ClientAuthentication, authenticate: () => Promise<string>): Promise<string> {
    const key = this.keyOf(auth);
    if (key === undefined) return authenticate();
    const clientId = await this.entries.fetch(key, { context: authenticate });
    // Only an abort without a value resolves undefined; ignoreFetchAbort keeps the value.
    if (clientId === undefined) throw new Error('caller authentication was aborted');
    return clientId;
  }

  /** In-flight authentications go too: their result then serves only the requests already waiting. */
  clear(): void {
    this.entries.clear();
  }

  private keyOf(auth: ClientAuthentication): string | undefined {
    if (auth.method !== 'client_secret_basic' && auth.method !== 'client_secret_post') {
      return undefined;
    }
    const id = auth.clientId ?? '';
    // The id's length makes the joined string unambiguous, whatever either part contains.
    const credentials = `${auth.method}:${id.length}:${id}:${auth.secret ?? ''}`;
    return sha256Base64url(this.salt + credentials);
  }
}
