import { classifyAddress, type AddressClass } from './address-ranges';
import {
  allowsAddress,
  allowsName,
  EMPTY_ALLOW_LIST,
  parseAllowList,
  type AllowList,
} from './allow-list';
import { classifyName, isLoopbackName, normalizeHostName } from './internal-names';
import { parseIp } from './ip-address';

/**
 * Which hosts the service may call (back-channel logout, jwks_uri):
 * ordinary public addresses always; internal ones only when the allow-list
 * names them; loopback also when the issuer itself is on loopback (`npm
 * start`, the test suites). Plain data, so the client rules can check
 * registrations without I/O and the outbound client can check resolved
 * addresses with the same rules.
 */
export interface OutboundPolicy {
  readonly allow: AllowList;
  readonly loopback: boolean;
}

/** Public addresses only: what production runs when OUTBOUND_ALLOW is empty. */
export const PUBLIC_ONLY_POLICY: OutboundPolicy = { allow: EMPTY_ALLOW_LIST, loopback: false };

function isLoopbackHost(host: string): boolean {
  if (isLoopbackName(host)) return true;
  const ip = parseIp(host);
  return ip !== undefined && classifyAddress(ip)?.kind === 'loopback';
}

/** From the settings: OUTBOUND_ALLOW's entries and ISSUER. Throws on a malformed entry. */
export function outboundPolicy(settings: {
  readonly allow: readonly string[];
  readonly issuer: string;
}): OutboundPolicy {
  let issuerHost = '';
  try {
    issuerHost = new URL(settings.issuer).hostname;
  } catch {
    // Not a URL: config validation reports it; here it just earns no loopback.
  }
  return { allow: parseAllowList(settings.allow), loopback: isLoopbackHost(issuerHost) };
}

function refused(policy: OutboundPolicy, cls: AddressClass | undefined): boolean {
  return cls !== undefined && !(cls.kind === 'loopback' && policy.loopback);
}

/**
 * A host as written in a URL (a name or a literal, IPv6 in brackets),
 * without resolving it: what is wrong with calling it, or undefined. A
 * name that passes may still resolve to a refused address
 * ({@link resolvedAddressProblem} is checked when the call is made).
 */
export function hostProblem(policy: OutboundPolicy, host: string): string | undefined {
  const ip = parseIp(host);
  if (ip) {
    if (allowsAddress(policy.allow, ip)) return undefined;
    const cls = classifyAddress(ip);
    return refused(policy, cls) ? `${host} is ${cls!.description}` : undefined;
  }
  const name = normalizeHostName(host);
  if (allowsName(policy.allow, name)) return undefined;
  const cls = classifyName(name);
  return refused(policy, cls) ? `${name} is ${cls!.description}` : undefined;
}

/** One address a name resolved to. A name the allow-list names may resolve anywhere. */
export function resolvedAddressProblem(
  policy: OutboundPolicy,
  host: string,
  address: string,
): string | undefined {
  if (!parseIp(host) && allowsName(policy.allow, host)) return undefined;
  const ip = parseIp(address);
  if (!ip) return `${host} resolved to ${address}, which is not an IP address`;
  if (allowsAddress(policy.allow, ip)) return undefined;
  const cls = classifyAddress(ip);
  return refused(policy, cls) ? `${host} resolves to ${address}, ${cls!.description}` : undefined;
}

/** For a URI's host; undefined when it is fine or not a URL (other rules report that). */
export function uriHostProblem(policy: OutboundPolicy, uri: string): string | undefined {
  let host: string;
  try {
    host = new URL(uri).hostname;
  } catch {
    return undefined;
  }
  return hostProblem(policy, host);
}
