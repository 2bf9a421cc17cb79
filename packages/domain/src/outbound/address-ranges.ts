import { cidr, cidrContains } from './cidr';
import type { IpAddress } from './ip-address';

/**
 * What an address is, when it is not an ordinary public one. `loopback` is
 * the only kind a policy may let through without an allow-list entry (when
 * the issuer itself runs on loopback: local development and the tests).
 */
export interface AddressClass {
  readonly kind: 'loopback' | 'internal';
  /** Completes "<host> is …": "a link-local address (169.254.0.0/16)". */
  readonly description: string;
}

/** [block, adjective]: the adjective completes "a … address". */
type Entry = readonly [block: string, label: string];

/**
 * IANA IPv4 Special-Purpose Address Registry (RFC 6890 and later), every
 * block that is not globally reachable or is not a unicast host, plus the
 * ones we refuse on purpose: none of these is a legitimate RP endpoint, and
 * several (metadata services on link-local, cluster and VPC services on the
 * private and CGNAT blocks, 0.0.0.0 which Linux connects to localhost) are
 * exactly what an attacker would register.
 */
const IPV4: readonly Entry[] = [
  ['0.0.0.0/8', 'unspecified ("this network")'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'shared (carrier-grade NAT)'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved (IETF protocol assignment)'],
  ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', 'deprecated 6to4 relay anycast'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['255.255.255.255/32', 'broadcast'],
  ['240.0.0.0/4', 'reserved'],
];

/**
 * IANA IPv6 Special-Purpose Address Registry. Forms that carry an IPv4
 * address the packet really goes to (mapped, translated, NAT64) are judged
 * by that address before this table; anything outside 2000::/3 is not global
 * unicast and refused after it.
 */
const IPV6: readonly Entry[] = [
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['::/96', 'deprecated IPv4-compatible'],
  ['64:ff9b:1::/48', 'local-use NAT64'],
  ['100::/64', 'discard-only'],
  ['2001::/23', 'reserved (IETF protocol assignment)'],
  ['2001:db8::/32', 'documentation'],
  ['2002::/16', 'deprecated 6to4'],
  ['3fff::/20', 'documentation'],
  ['fc00::/7', 'unique local (private)'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'deprecated site-local'],
  ['ff00::/8', 'multicast'],
];

/** "an unspecified", "a unique local": the article by sound, for these adjectives. */
const withArticle = (adjective: string) =>
  `${/^(a|e|i|o|un(?!i))/i.test(adjective) ? 'an' : 'a'} ${adjective}`;
const describe = (label: string, range: string) => `${withArticle(label)} address (${range})`;

const compile = (entries: readonly Entry[]) =>
  entries.map(([block, label]) => ({ block: cidr(block), label }));
const ipv4Table = compile(IPV4);
const ipv6Table = compile(IPV6);
const globalUnicast = cidr('2000::/3');
/** IPv6 forms whose last 32 bits are the IPv4 address actually reached. */
const embedsIpv4 = [cidr('::ffff:0:0/96'), cidr('::ffff:0:0:0/96'), cidr('64:ff9b::/96')];

/** The IPv4 address an IPv6 one stands for (mapped, SIIT-translated or NAT64), if any. */
export function embeddedIpv4(ip: IpAddress): IpAddress | undefined {
  if (ip.family !== 6 || !embedsIpv4.some((b) => cidrContains(b, ip))) return undefined;
  return { family: 4, bytes: ip.bytes.slice(12) };
}

/** undefined: an ordinary public unicast address. */
export function classifyAddress(ip: IpAddress): AddressClass | undefined {
  const v4 = ip.family === 4 ? ip : embeddedIpv4(ip);
  const table = v4 ? ipv4Table : ipv6Table;
  const subject = v4 ?? ip;
  for (const { block, label } of table) {
    if (cidrContains(block, subject))
      return {
        kind: label === 'loopback' ? 'loopback' : 'internal',
        description: describe(label, block.text),
      };
  }
  if (!v4 && !cidrContains(globalUnicast, ip))
    return { kind: 'internal', description: 'not a global unicast address (outside 2000::/3)' };
  return undefined;
}
