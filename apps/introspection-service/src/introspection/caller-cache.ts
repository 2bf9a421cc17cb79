import type { ClientAuthentication } from '@idp/contracts';
import { randomBase64url, sha256Base64url } from '@idp/crypto';

interface Entry {
  readonly clientId: Promise<string>;
  readonly expiresAt: number;
}

/** Bounded so a flood of distinct (wrong) credentials cannot grow memory; wrong ones are never stored anyway. */
const MAX_ENTRIES = 10_000;

/**
 * Callers this replica authenticated recently, by a salted SHA-256 of the
 * credentials they presented (the salt is random per process: the secret is
 * never held in clear, and the hashes mean nothing elsewhere; one-shot
 * `hash` is several times cheaper than an HMAC object on this hot path, and
 * the digests are only compared within this process, so length extension
 * is of no use to anyone). Concurrent
 * requests with the same credentials share one authentication. `clear()`
 * drops everything, in-flight authentications included, so a rotated secret
 * or a deleted client cannot come back from an answer given before it.
 * private_key_jwt assertions are single use: never cached.
 */
export class CallerCache {
  private readonly entries = new Map<string, Entry>();
  private readonly salt = randomBase64url(32);

  constructor(
    private readonly ttlMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The caller's client_id, from the cache or from `authenticate` (whose failures are never cached). */
  async clientId(auth: ClientAuthentication, authenticate: () => Promise<string>): Promise<string> {
    const key = this.keyOf(auth);
    if (key === undefined) return authenticate();
    const now = this.clock();
    const hit = this.entries.get(key);
    if (hit !== undefined && hit.expiresAt > now) return hit.clientId;
    if (hit !== undefined) this.entries.delete(key);
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();

    const clientId = authenticate();
    const entry: Entry = { clientId, expiresAt: now + this.ttlMs };
    this.entries.set(key, entry);
    try {
      return await clientId;
    } catch (err) {
      this.forget(key, entry);
      throw err;
    }
  }

  /** In-flight authentications go too: their result then serves only the requests already waiting. */
  clear(): void {
    this.entries.clear();
  }

  private forget(key: string, entry: Entry): void {
    if (this.entries.get(key) === entry) this.entries.delete(key);
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
