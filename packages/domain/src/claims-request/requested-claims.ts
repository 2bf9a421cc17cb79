import type { ClaimsRequest, RequestedClaims } from '@idp/contracts';
import { scopeTokens } from '../grant/scope';
import { claimsForScopes, SCOPE_CLAIMS, STANDARD_CLAIMS } from '../user/user.claims';

/**
 * The claim names a `claims` request (OIDC Core 5.5) may name and be kept
 * for: the standard claims we hold (5.1), and `acr` (5.5.1.1). Anything else
 * is ignored: custom attributes never reach an ID token or /userinfo.
 */
export const REQUESTABLE_CLAIMS: ReadonlySet<string> = new Set([...STANDARD_CLAIMS, 'acr']);

/**
 * The scope that releases each standard claim (5.4), for the client policy below.
 */
const SCOPE_OF_CLAIM: ReadonlyMap<string, string> = new Map(
  [...SCOPE_CLAIMS].flatMap(([scope, claims]) => claims.map((c) => [c, scope] as const)),
);

/**
 * A claims request as far as the client may make it. A claim request is its
 * own consent unit (5.5: it may ask for claims beyond the granted scopes), but
 * not beyond the client's registration: when the client registered a `scope`
 * (RFC 7591 2), it may ask only for the claims those scopes release. A
 * client registered without one may ask for any standard claim. `acr` is
 * never restricted. Undefined when nothing is left.
 */
export function claimsRequestForClient(
  request: ClaimsRequest | undefined,
  registeredScope: string | undefined,
): ClaimsRequest | undefined {
  if (request === undefined) return undefined;
  const registered =
    registeredScope === undefined ? undefined : new Set(scopeTokens(registeredScope));
  const allowed = (name: string): boolean => {
    if (!REQUESTABLE_CLAIMS.has(name)) return false;
    const scope = SCOPE_OF_CLAIM.get(name);
    return scope === undefined || registered === undefined || registered.has(scope);
  };
  const keep = (member: RequestedClaims | undefined): RequestedClaims | undefined => {
    if (member === undefined) return undefined;
    const out: RequestedClaims = {};
    for (const [name, options] of Object.entries(member)) if (allowed(name)) out[name] = options;
    return Object.keys(out).length ? out : undefined;
  };
  const userinfo = keep(request.userinfo);
  const idToken = keep(request.id_token);
  if (!userinfo && !idToken) return undefined;
  return { ...(userinfo ? { userinfo } : {}), ...(idToken ? { id_token: idToken } : {}) };
}

/**
 * The user's claims an ID token carries: the `id_token` member's standard
 * claims the user has, plus, when `scopesToo` (response_type=id_token, where
 * there is no /userinfo call to make; 5.4), those of the granted scopes.
 */
export function idTokenUserClaims(
  userClaims: Readonly<Record<string, unknown>>,
  scope: string,
  request: ClaimsRequest | undefined,
  scopesToo: boolean,
): Record<string, unknown> {
  return claimsForScopes(userClaims, scopesToo ? scope : [], request?.id_token);
}

/** What /userinfo returns besides `sub`: the granted scopes' claims and the `userinfo` member's. */
export function userinfoClaims(
  userClaims: Readonly<Record<string, unknown>>,
  scope: string,
  request: ClaimsRequest | undefined,
): Record<string, unknown> {
  return claimsForScopes(userClaims, scope, request?.userinfo);
}

/**
 * The user claims a claims request asks to see, in either member, once each
 * in request order (`acr` is about the login, not the user): what the consent
 * page lists, since the request is itself what the user consents to.
 */
export function requestedUserClaims(request: ClaimsRequest | undefined): string[] {
  const names = new Set<string>();
  for (const member of [request?.id_token, request?.userinfo])
    for (const name of Object.keys(member ?? {})) if (STANDARD_CLAIMS.has(name)) names.add(name);
  return [...names];
}
