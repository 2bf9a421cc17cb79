import type { ClientMetadata } from '@idp/contracts';
import { InvalidRequest, InvalidScope } from '@idp/oauth-errors';
import { list } from './param-checks';
import { includesIdToken } from './response-type';
import type { ResponseType } from './types';

/**
 * Unknown scopes, and scopes outside the client's registered `scope` (RFC
 * 7591 2), are dropped, not refused: OIDC Core 5.4 ("scope values ... not
 * understood ... SHOULD be ignored") and RFC 6749 3.3 (the server MAY ignore
 * part of the request). Nothing left is invalid_scope (RFC 6749 3.3: no
 * default scope here). An ID token needs `openid` (OIDC Core 3.1.2.1); its
 * absence is invalid_request, as in node-oidc-provider.
 */
export function checkScope(
  raw: string | undefined,
  client: ClientMetadata,
  type: ResponseType,
  supportedScopes: readonly string[],
): { scope: string[]; ignored: string[] } {
  const requested = list(raw);
  const registered = client.scope === undefined ? undefined : new Set(list(client.scope));
  const supported = new Set(supportedScopes);
  const scope: string[] = [];
  const ignored: string[] = [];
  for (const s of requested) {
    (supported.has(s) && (registered?.has(s) ?? true) ? scope : ignored).push(s);
  }
  if (includesIdToken(type) && !scope.includes('openid')) {
    throw new InvalidRequest('the openid scope is required when an id_token is requested');
  }
  if (scope.length === 0) {
    throw new InvalidScope(
      requested.length === 0 ? 'missing required parameter scope' : 'no requested scope is allowed',
    );
  }
  return { scope, ignored };
}
