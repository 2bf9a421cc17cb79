import type { TokenRpcClient } from '@idp/contracts';

export type JwkSet = Awaited<ReturnType<TokenRpcClient['jwks']>>;

export interface JwksCacheOptions {
  /** How long a fetched set is served without asking token-service again. */
  readonly freshMs: number;
  /** How long a set may still be served while token-service cannot be reached. */
  readonly staleMs: number;
  readonly now?: () => number;
}

/**
 * The public keys, kept in memory for a few seconds: /jwks is polled by
 * every RP and resource server, and one RPC per poll is waste. Concurrent
 * misses share one call. When token-service is down, the last good set is
 * served for a while rather than nothing: RPs keep verifying tokens signed
 * with the keys it holds (a rotated-out key stays published for a grace
 * period anyway).
 */
export class JwksCache {
  private value: { keys: JwkSet; at: number } | undefined;
  private inflight: Promise<JwkSet> | undefined;
  private readonly now: () => number;

  constructor(
    private readonly load: () => Promise<JwkSet>,
    private readonly options: JwksCacheOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async get(): Promise<JwkSet> {
    const cached = this.value;
    const age = cached === undefined ? Infinity : this.now() - cached.at;
    if (cached !== undefined && age < this.options.freshMs) return cached.keys;
    try {
      return await this.refresh();
    } catch (err) {
      if (cached !== undefined && age < this.options.staleMs) return cached.keys;
      throw err;
    }
  }

  private refresh(): Promise<JwkSet> {
    this.inflight ??= this.load()
      .then((keys) => {
        this.value = { keys, at: this.now() };
        return keys;
      })
      .finally(() => {
        this.inflight = undefined;
      });
    return this.inflight;
  }
}
