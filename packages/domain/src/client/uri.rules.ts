// Where a client may ask us to send users or logout tokens. Each function
// returns what is wrong with a URI, or undefined when it is acceptable.

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
// Schemes that run code or read local data in a browser: never a redirect target.
const DANGEROUS_SCHEMES = new Set([
  'javascript:',
  'data:',
  'vbscript:',
  'file:',
  'blob:',
  'about:',
]);

function parse(uri: string): URL | undefined {
  try {
    return new URL(uri);
  } catch {
    return undefined;
  }
}

/** https anywhere, http only on a loopback host (RFC 8252 7.3, and local development). */
function webSchemeProblem(url: URL): string | undefined {
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return undefined;
  if (url.protocol === 'http:')
    return 'must use https (http only on localhost, 127.0.0.1 or [::1])';
  return undefined;
}

/**
 * redirect_uris and post_logout_redirect_uris: absolute, no fragment (RFC
 * 6749 3.1.2), https or loopback http; private-use schemes (RFC 8252 7.1)
 * only for native apps, which are public clients.
 */
export function redirectUriProblem(uri: string, nativeClient: boolean): string | undefined {
  const url = parse(uri);
  if (!url) return 'must be an absolute URI';
  if (uri.includes('#')) return 'must not contain a fragment';
  if (url.protocol === 'https:' || url.protocol === 'http:') return webSchemeProblem(url);
  if (DANGEROUS_SCHEMES.has(url.protocol)) return `must not use the ${url.protocol} scheme`;
  if (!nativeClient)
    return 'may use a custom scheme only for a native client (token_endpoint_auth_method none)';
  return undefined;
}

/** Endpoints we call or the browser loads (logout URIs, jwks_uri): https or loopback http. */
export function webUriProblem(uri: string): string | undefined {
  const url = parse(uri);
  if (!url) return 'must be an absolute URI';
  if (uri.includes('#')) return 'must not contain a fragment';
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must use https';
  return webSchemeProblem(url);
}

/** RFC 9101 5.2 (OIDC Core 6.2): a request_uri we fetch; https or loopback http, fragment allowed. */
export const MAX_REGISTERED_REQUEST_URI = 512;
export function requestUriProblem(uri: string): string | undefined {
  const url = parse(uri);
  if (!url) return 'must be an absolute URI';
  // RFC 9101 5.2: "SHOULD NOT exceed 512 ASCII characters".
  if (uri.length > MAX_REGISTERED_REQUEST_URI)
    return `must not be longer than ${MAX_REGISTERED_REQUEST_URI} characters`;
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must use https';
  return webSchemeProblem(url);
}

/** RFC 8707 2: a resource indicator is an absolute URI without a fragment. */
export function resourceProblem(uri: string): string | undefined {
  if (!parse(uri)) return 'must be an absolute URI';
  return uri.includes('#') ? 'must not contain a fragment' : undefined;
}

/** The longest resource URI we accept anywhere (the resource registry's own bound). */
export const MAX_RESOURCE_URI_LENGTH = 2000;
/** How many resources a client may register, and so ask for in one authorization request. */
export const MAX_RESOURCES = 10;

/** What is wrong with one indicator (RFC 8707 2: absolute URI, no fragment), or undefined. */
export function resourceIndicatorProblem(uri: string): string | undefined {
  if (uri.length > MAX_RESOURCE_URI_LENGTH)
    return `must be at most ${MAX_RESOURCE_URI_LENGTH} characters`;
  if (/\s/.test(uri)) return 'must not contain white space';
  return resourceProblem(uri);
}
