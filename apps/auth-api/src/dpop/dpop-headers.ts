import type { IncomingMessage } from 'node:http';

/**
 * The DPoP header values of a request, each as sent. Node joins repeated
 * unknown headers with ", " in `headers`, so they are counted from
 * `rawHeaders` (RFC 9449 4.3 item 1: exactly one DPoP header); a field
 * value with a comma is two values combined by a proxy or client (RFC 9110
 * 5.3), since a compact JWS never contains one.
 */
export function dpopHeaderValues(request: Pick<IncomingMessage, 'rawHeaders'>): string[] {
  const values: string[] = [];
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() === 'dpop')
      values.push(...raw[i + 1]!.split(',').map((v) => v.trim()));
  }
  return values;
}
