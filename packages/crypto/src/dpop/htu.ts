/** Default ports dropped by RFC 3986 6.2.3 scheme-based normalisation. */
const DEFAULT_PORTS: Readonly<Record<string, string>> = { 'http:': '80', 'https:': '443' };

/**
 * An HTTP(S) URI as RFC 9449 4.3 compares `htu`: without query and fragment,
 * normalised per RFC 3986 6.2.2 (case of scheme and host, percent-encoding
 * case, dot segments) and 6.2.3 (default port dropped, empty path as `/`),
 * which WHATWG URL parsing does. Anything that is not an absolute http(s)
 * URI is undefined: it can match nothing.
 */
export function normaliseHtu(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.username !== '' || url.password !== '') return undefined;
  const port = url.port === '' || url.port === DEFAULT_PORTS[url.protocol] ? '' : `:${url.port}`;
  // Percent-encodings compare case-insensitively (6.2.2.1): upper-case them.
  const path = url.pathname.replace(/%[0-9a-f]{2}/gi, (e) => e.toUpperCase());
  return `${url.protocol}//${url.hostname}${port}${path}`;
}
