import type { AddressClass } from './address-ranges';

/**
 * Host names that stand for internal services whatever they resolve to from
 * where a registration is checked: refusing them at registration gives the
 * RP a clear answer early. It is a convenience, not the defence: any other
 * name may resolve to an internal address, which the outbound client refuses
 * at call time.
 */
const LOOPBACK_SUFFIX = '.localhost';
const INTERNAL_SUFFIXES: readonly (readonly [suffix: string, label: string])[] = [
  // RFC 6762 multicast DNS; Kubernetes' cluster.local lives here too.
  ['.local', 'a link-local (mDNS) or cluster-internal name'],
  // Reserved for private use (ICANN 2024); GCP's metadata.google.internal, AWS's ec2.internal.
  ['.internal', 'a private-use name'],
  // Kubernetes services: <service>.<namespace>.svc.
  ['.svc', 'a cluster-internal service name'],
  // RFC 8375 home networks.
  ['.home.arpa', 'a home-network name'],
  ['.localdomain', 'a local-domain name'],
];

/** Lower case, without the root's trailing dot (`localhost.` is `localhost`). */
export function normalizeHostName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** RFC 6761 6.3: `localhost` and every name under it are loopback. */
export function isLoopbackName(name: string): boolean {
  const host = normalizeHostName(name);
  return host === 'localhost' || host.endsWith(LOOPBACK_SUFFIX);
}

/** What a host name is, when it is known to be internal; undefined for an ordinary name. */
export function classifyName(name: string): AddressClass | undefined {
  const host = normalizeHostName(name);
  if (isLoopbackName(host))
    return { kind: 'loopback', description: 'a loopback name (localhost, *.localhost)' };
  for (const [suffix, label] of INTERNAL_SUFFIXES)
    if (host.endsWith(suffix)) return { kind: 'internal', description: `${label} (*${suffix})` };
  // A single label (`redis`, `kubernetes`, `metadata`) is completed by the
  // resolver's search domains, i.e. to a name of the local network.
  if (!host.includes('.'))
    return {
      kind: 'internal',
      description: 'a single-label name (completed by the search domains)',
    };
  return undefined;
}
