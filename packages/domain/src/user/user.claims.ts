import type { RequestedClaims } from '@idp/contracts';
import { RESERVED_ACCESS_TOKEN_CLAIMS } from '../client/client-metadata.rules';
import { scopeTokens } from '../grant/scope';

/** OIDC Core 5.4: the claims each standard scope releases. */
export const SCOPE_CLAIMS: ReadonlyMap<string, readonly string[]> = new Map([
  [
    'profile',
    [
      'name',
      'family_name',
      'given_name',
      'middle_name',
      'nickname',
      'preferred_username',
      'profile',
      'picture',
      'website',
      'gender',
      'birthdate',
      'zoneinfo',
      'locale',
      'updated_at',
    ],
  ],
  ['email', ['email', 'email_verified']],
  ['address', ['address']],
  ['phone', ['phone_number', 'phone_number_verified']],
]);

/** OIDC Core 5.1, minus `sub`, which the caller always sets from the grant. */
export const STANDARD_CLAIMS: ReadonlySet<string> = new Set([...SCOPE_CLAIMS.values()].flat());

/** OIDC Core 5.3.2: a claim without a value is omitted, never null or "". */
const hasValue = (v: unknown): boolean => v !== undefined && v !== null && v !== '';

function pick(
  claims: Readonly<Record<string, unknown>>,
  names: Iterable<string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of names)
    if (Object.hasOwn(claims, name) && hasValue(claims[name])) out[name] = claims[name];
  return out;
}

/**
 * The user's claims an ID token or /userinfo may carry: those the granted
 * scopes release (5.4) plus standard claims named in the `claims` request
 * parameter (5.5; `essential`/`value` do not filter: the RP checks them).
 * Custom attributes (roles, groups, tenant...) are never released this way:
 * they reach resource servers only through a client's access_token_claims.
 */
export function claimsForScopes(
  userClaims: Readonly<Record<string, unknown>>,
  scopes: string | readonly string[],
  claimsRequested?: RequestedClaims,
): Record<string, unknown> {
  const names = new Set<string>();
  for (const scope of typeof scopes === 'string' ? scopeTokens(scopes) : scopes)
    for (const claim of SCOPE_CLAIMS.get(scope) ?? []) names.add(claim);
  for (const claim of Object.keys(claimsRequested ?? {}))
    if (STANDARD_CLAIMS.has(claim)) names.add(claim);
  return pick(userClaims, names);
}

/**
 * The user attributes a client's access_token_claims names (RFC 9068 lets an
 * access token carry more than the core claims). Reserved claim names are
 * skipped even if configuration slipped them through.
 */
export function accessTokenClaims(
  userClaims: Readonly<Record<string, unknown>>,
  names: readonly string[],
): Record<string, unknown> {
  return pick(
    userClaims,
    names.filter((n) => !RESERVED_ACCESS_TOKEN_CLAIMS.has(n)),
  );
}
