import { DomainRuleError } from '../decider';
import {
  classifyAddress,
  classifyName,
  hostProblem,
  parseIp,
  type OutboundPolicy,
} from '../outbound';

/**
 * A push endpoint (RFC 8935) we will POST SETs to: https, and a host the
 * outbound policy lets us reach. Plain http only to a host the operator
 * allow-listed as internal (OUTBOUND_ALLOW, or loopback under a loopback
 * issuer): SETs carry user identifiers and the receiver's Authorization
 * header must not cross a public network in clear.
 */
export function checkPushEndpoint(policy: OutboundPolicy, endpoint: string): void {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw invalid('delivery.endpoint_url must be an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw invalid('delivery.endpoint_url must be an https URL');
  if (url.username !== '' || url.password !== '')
    throw invalid('delivery.endpoint_url must not carry credentials');
  if (url.hash !== '') throw invalid('delivery.endpoint_url must not have a fragment');
  const problem = hostProblem(policy, url.hostname);
  if (problem)
    throw invalid(`delivery.endpoint_url must not point to an internal host: ${problem}`);
  if (url.protocol === 'http:' && !isInternalHost(url.hostname))
    throw invalid(
      'delivery.endpoint_url must be an https URL (http only to an allow-listed internal host)',
    );
}

/** Internal (and so, having passed hostProblem, allow-listed): the only hosts plain http may reach. */
function isInternalHost(hostname: string): boolean {
  const ip = parseIp(hostname);
  return ip
    ? classifyAddress(ip) !== undefined
    : classifyName(hostname.toLowerCase()) !== undefined;
}

function invalid(message: string): DomainRuleError {
  return new DomainRuleError('ssf.invalid_request', message);
}

/** events_requested ∩ supported, in the supported list's order and without repeats. */
export function eventsDelivered(
  requested: readonly string[],
  supported: readonly string[],
): string[] {
  const wanted = new Set(requested);
  return supported.filter((uri) => wanted.has(uri));
}
