import { isIP } from 'node:net';

/**
 * The client address throttling and rate limits count by (ADR 0016). With
 * `trustProxy` 0 it is the socket peer: X-Forwarded-For is forgeable by
 * anyone and is ignored. With N trusted proxies, each appending the address
 * it saw, the N-th entry from the right is the one the outermost trusted
 * proxy saw; anything left of it was written by the client. A header with
 * fewer entries, or a malformed one, falls back to the socket peer.
 */
export function clientIp(
  socketAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trustProxy: number,
): string {
  const peer = normalise(socketAddress ?? '') || 'unknown';
  if (trustProxy <= 0 || forwardedFor === undefined) return peer;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  const candidate = hops[hops.length - trustProxy];
  const address = candidate === undefined ? '' : normalise(candidate);
  return isIP(address) ? address : peer;
}

/** `::ffff:10.0.0.1` and `10.0.0.1` are one client. */
function normalise(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}
