/**
 * Claims that configuration (extra claims, released userinfo claims) may
 * never set. They carry the token's security meaning: letting a claim mapper
 * write `sub`, `aud` or `exp` would let an admin typo mint a token for the
 * wrong user, audience or lifetime.
 */
const JWT_REGISTERED = ['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti'] as const;
const OIDC_ID_TOKEN = [
  'auth_time',
  'nonce',
  'acr',
  'amr',
  'azp',
  'at_hash',
  'c_hash',
  's_hash',
  'sid',
] as const;
/** Claims with protocol meaning elsewhere (RFC 9068, RFC 8693, RFC 9396, RFC 8705/9449, SET). */
const PROTOCOL = [
  'client_id',
  'scope',
  'cnf',
  'act',
  'may_act',
  'authorization_details',
  'events',
  'typ',
] as const;

export const ID_TOKEN_RESERVED_CLAIMS: ReadonlySet<string> = new Set([
  ...JWT_REGISTERED,
  ...OIDC_ID_TOKEN,
  ...PROTOCOL,
]);

/**
 * For access tokens the ID-token-only claims are reserved too: an access
 * token must never carry nonce/at_hash/c_hash/azp, or an RP could be fed it
 * as an ID token (ARCHITECTURE.md: the two are never the same JWT).
 */
export const ACCESS_TOKEN_RESERVED_CLAIMS: ReadonlySet<string> = ID_TOKEN_RESERVED_CLAIMS;

export class ReservedClaimError extends Error {
  override readonly name = 'ReservedClaimError';
  constructor(
    readonly claims: readonly string[],
    readonly token: string,
  ) {
    super(`${token} extra claims may not set reserved claims: ${claims.join(', ')}`);
  }
}

/**
 * Throws rather than silently dropping: a mapping that tries to override a
 * registered claim is a configuration bug that should surface at issuance
 * (and at config validation, which can call this too).
 */
export function assertNoReservedClaims(
  extra: Readonly<Record<string, unknown>> | undefined,
  reserved: ReadonlySet<string>,
  token: string,
): void {
  if (!extra) return;
  const hits = Object.keys(extra).filter((k) => reserved.has(k));
  if (hits.length > 0) throw new ReservedClaimError(hits, token);
}

/** Copies only defined values, so optional inputs never appear as `null` or `undefined`. */
export function definedOnly(claims: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined));
}

export function requireText(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0)
    throw new TypeError(`${name} must be a non-empty string`);
}
