import { cidrContains, parseCidr, type Cidr } from './cidr';
import { embeddedIpv4 } from './address-ranges';
import { normalizeHostName } from './internal-names';
import type { IpAddress } from './ip-address';

/**
 * OUTBOUND_ALLOW: hosts and address blocks an operator lets outbound calls
 * reach although they are internal (development, tests, an RP inside the
 * same network on purpose). Entries: a host name (`rp.internal`), a
 * wildcard for every name under a domain (`*.dev.example`), an address
 * (`10.1.2.3`, `::1`) or a block (`10.0.0.0/8`, `fd00::/8`).
 */
export interface AllowList {
  readonly hosts: ReadonlySet<string>;
  /** `*.dev.example` is kept as `.dev.example`. */
  readonly suffixes: readonly string[];
  readonly blocks: readonly Cidr[];
}

export const EMPTY_ALLOW_LIST: AllowList = { hosts: new Set(), suffixes: [], blocks: [] };

const HOST_NAME =
  /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/** What is wrong with one entry, or undefined. */
export function allowEntryProblem(entry: string): string | undefined {
  if (parseCidr(entry.replace(/^\[(.*)\]$/, '$1'))) return undefined;
  const name = normalizeHostName(entry.startsWith('*.') ? entry.slice(2) : entry);
  if (HOST_NAME.test(name) && !/^[0-9./]+$/.test(name)) return undefined;
  return `"${entry}" is neither a host name, *.domain, an IP address nor a CIDR block`;
}

/** Throws on a malformed entry: a typo must not silently allow nothing (or everything). */
export function parseAllowList(entries: readonly string[]): AllowList {
  const hosts = new Set<string>();
  const suffixes: string[] = [];
  const blocks: Cidr[] = [];
  for (const raw of entries.map((e) => e.trim()).filter(Boolean)) {
    const problem = allowEntryProblem(raw);
    if (problem) throw new Error(`OUTBOUND_ALLOW: ${problem}`);
    const block = parseCidr(raw.replace(/^\[(.*)\]$/, '$1'));
    if (block) blocks.push(block);
    else if (raw.startsWith('*.')) suffixes.push(normalizeHostName(raw.slice(1)));
    else hosts.add(normalizeHostName(raw));
  }
  return { hosts, suffixes, blocks };
}

export function allowsName(list: AllowList, name: string): boolean {
  const host = normalizeHostName(name);
  return list.hosts.has(host) || list.suffixes.some((s) => host.endsWith(s));
}

/** An IPv4-mapped (or NAT64) address matches the IPv4 blocks too. */
export function allowsAddress(list: AllowList, ip: IpAddress): boolean {
  const v4 = embeddedIpv4(ip);
  return list.blocks.some((b) => cidrContains(b, ip) || (v4 !== undefined && cidrContains(b, v4)));
}
