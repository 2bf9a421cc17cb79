import { Injectable } from '@nestjs/common';
import type { JWK } from 'jose';
import { LRUCache } from 'lru-cache';
import type { RegisteredClient } from '@idp/domain';
import { TokenServiceOutbound } from './outbound-client.provider';

/** A fetched key set is reused this long. */
const FRESH_MS = 5 * 60_000;
/**
 * An assertion whose kid is not in the cached set refetches the document,
 * at most this often per client: the RP may have rotated its key, but a
 * stream of assertions with made-up kids must not make us call it each time.
 */
const REFETCH_AFTER_MS = 30_000;
const MAX_CLIENTS = 10_000;

interface Fetched {
  readonly uri: string;
  readonly at: number;
  readonly keys: JWK[];
}

function keysOf(body: Buffer): JWK[] {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    throw new Error('jwks_uri did not return JSON');
  }
  const keys = (doc as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'object' || k === null))
    throw new Error('jwks_uri did not return a JWK Set');
  return keys as JWK[];
}

/**
 * The public keys a private_key_jwt client verifies with (RFC 7523, OIDC
 * Core 9): its registered `jwks`, or the document at its `jwks_uri`,
 * fetched through the guarded outbound client (an internal address is
 * refused whatever the name resolves to) and cached per replica.
 */
@Injectable()
export class ClientJwks {
  /**
   * By client_id, for FRESH_MS. Concurrent assertions of one client share one
   * fetch (lru-cache's fetch); a failed fetch is not kept, nor are stale keys
   * served in its place: a key the RP withdrew must not outlive an outage of
   * its jwks_uri.
   */
  private readonly fetched = new LRUCache<string, Fetched, string>({
    max: MAX_CLIENTS,
    ttl: FRESH_MS,
    // An entry evicted while its fetch runs still answers the assertions waiting on it.
    ignoreFetchAbort: true,
    fetchMethod: async (_clientId, _stale, { context: uri }) => ({
      uri,
      at: Date.now(),
      keys: await this.fetch(uri),
    }),
  });

  constructor(private readonly outbound: TokenServiceOutbound) {}

  /** `refresh`: the cached set lacks the assertion's key; fetch again if it is not brand new. */
  async keysFor(client: RegisteredClient, refresh = false): Promise<JWK[]> {
    const uri = client.metadata.jwks_uri;
    if (uri === undefined) return (client.metadata.jwks?.keys ?? []) as unknown as JWK[];
    const hit = this.fetched.peek(client.clientId);
    const outdated = (f: Fetched) =>
      f.uri !== uri || (refresh && Date.now() - f.at >= REFETCH_AFTER_MS);
    let fetched = await this.fetched.fetch(client.clientId, {
      context: uri,
      forceRefresh: hit !== undefined && outdated(hit),
    });
    // Joined a fetch of the client's previous jwks_uri: fetch the current one.
    if (fetched?.uri !== uri)
      fetched = await this.fetched.fetch(client.clientId, { context: uri, forceRefresh: true });
    return fetched?.keys ?? [];
  }

  private async fetch(uri: string): Promise<JWK[]> {
    const res = await this.outbound.request(uri, {
      headers: { accept: 'application/jwk-set+json, application/json' },
    });
    if (res.status !== 200) throw new Error(`jwks_uri answered HTTP ${res.status}`);
    return keysOf(res.body);
  }
}
