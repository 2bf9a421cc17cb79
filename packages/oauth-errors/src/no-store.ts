/**
 * The headers of every answer that carries a token, a code, a credential or
 * an OAuth error about one: RFC 6749 5.1 and 5.2 (no-store, and no-cache for
 * HTTP/1.0 caches), RFC 7009, RFC 7591 3.2.1, RFC 7662 and OIDC Core 5.3.
 * One definition: the error renderer, the raw routes, the token,
 * introspection, registration and authorization answers all use it.
 */
export const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;
