import { lookup as dnsLookup } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { LRUCache } from 'lru-cache';
import { resolvedAddressProblem, type OutboundPolicy } from '@idp/domain';
import { OutboundError } from './outbound-error';

export interface ResolvedAddress {
  readonly address: string;
  readonly family: number;
}

/** Every address of a name (dns.lookup with all: true, by default). */
export type Resolver = (host: string) => Promise<readonly ResolvedAddress[]>;

export const systemResolver: Resolver = (host) =>
  new Promise((resolve, reject) =>
    dnsLookup(host, { all: true, verbatim: true }, (err, addresses) =>
      err ? reject(err) : resolve(addresses),
    ),
  );

export interface GuardedLookupOptions {
  readonly policy: OutboundPolicy;
  readonly resolve?: Resolver;
  /** How long a name's addresses are reused (default 10 s); every use re-checks them. */
  readonly cacheMs?: number;
  readonly now?: () => number;
}

/** Names kept at most; past it the least recently used goes (a fan-out names a few hosts, not thousands). */
const MAX_CACHED_NAMES = 1000;

/**
 * The `lookup` of the outbound agents: the socket connects to exactly the
 * addresses this function returned, and it returns only addresses the policy
 * allows, so the address checked is the address connected to (no DNS
 * rebinding between a check and the connection). A name with any refused
 * address is refused as a whole: it is either misconfigured or an attack.
 * IP literals never reach a lookup (node connects to them directly), so the
 * client checks them before the request.
 */
export function guardedLookup(options: GuardedLookupOptions): LookupFunction {
  const resolve = options.resolve ?? systemResolver;
  const cacheMs = options.cacheMs ?? 10_000;
  const now = options.now ?? Date.now;
  const cache =
    cacheMs > 0
      ? new LRUCache<string, readonly ResolvedAddress[]>({
          max: MAX_CACHED_NAMES,
          ttl: cacheMs,
          ttlResolution: 0,
          perf: { now },
          // Concurrent connections to one name share one resolution.
          fetchMethod: (host) => resolve(host),
          ignoreFetchAbort: true,
          // Serve-stale (RFC 8767): when the resolver fails, the name's last answer
          // serves until it answers again. Safe: the addresses are checked on every use.
          allowStaleOnFetchRejection: true,
        })
      : undefined;

  const addressesOf = async (host: string): Promise<readonly ResolvedAddress[]> => {
    if (cache === undefined) return resolve(host);
    const status: LRUCache.Status<string, readonly ResolvedAddress[]> = {};
    const addresses = await cache.fetch(host, { status });
    // Undefined: the resolver failed and there was no earlier answer to serve.
    if (addresses === undefined) throw status.fetchError ?? new Error(`${host} did not resolve`);
    return addresses;
  };

  const checked = async (host: string): Promise<readonly ResolvedAddress[]> => {
    const addresses = await addressesOf(host);
    if (addresses.length === 0) throw new OutboundError('network', `${host} has no address`);
    for (const { address } of addresses) {
      const problem = resolvedAddressProblem(options.policy, host, address);
      if (problem) throw new OutboundError('refused', problem);
    }
    return addresses;
  };

  return (hostname, lookupOptions, callback) => {
    checked(hostname).then(
      (addresses) => {
        const family = lookupOptions.family;
        const wanted =
          family === 4 || family === 6 ? addresses.filter((a) => a.family === family) : addresses;
        if (wanted.length === 0) {
          callback(new OutboundError('network', `${hostname} has no IPv${family} address`), '', 0);
        } else if (lookupOptions.all) {
          (callback as unknown as (e: null, a: ResolvedAddress[]) => void)(null, [...wanted]);
        } else {
          callback(null, wanted[0]!.address, wanted[0]!.family);
        }
      },
      (err: unknown) => {
        const error =
          err instanceof OutboundError
            ? err
            : new OutboundError('network', (err as { code?: string }).code ?? String(err));
        callback(error as NodeJS.ErrnoException, '', 0);
      },
    );
  };
}
