import type { IncomingMessage } from 'node:http';

/**
 * The DPoP header values of a request, each as sent. Node joins repeated
 * unknown headers with ", " in `headers`, so they are counted from
 * `rawHeaders` (RFC 9449 4.3 item 1: exactly one DPoP header).
 */
export function dpopHeaderValues(request: Pick<IncomingMessage, 'rawHeaders'>): string[] {
  const values: string[] = [];
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() === 'dpop') values.push(raw[i + 1]!);
  }
  return values;
}
