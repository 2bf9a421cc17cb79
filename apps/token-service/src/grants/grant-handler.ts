import type { Confirmation, TokenResponse } from '@idp/contracts';
import type { RegisteredClient, TokenGrantType } from '@idp/domain';

/**
 * One handler per grant type (node-oidc-provider's grant plug-ins): the
 * token endpoint authenticates the client, checks it may use the grant type
 * and that the required parameters are present, then hands over.
 */
export interface GrantHandler<G extends TokenGrantType = TokenGrantType> {
  readonly grantType: G;
  readonly requiredParams: readonly string[];
  handle(
    params: Readonly<Record<string, string>>,
    client: RegisteredClient,
    binding: RequestBinding,
    origin: RequestOrigin,
  ): Promise<TokenResponse>;
}

/** Where the token request came from, as auth-api judged it (ADR 0016's trusted-proxy rule). */
export interface RequestOrigin {
  readonly clientIp?: string | undefined;
}

/** What the token request proved possession of, checked at the edge (DPoP, RFC 9449 4.3). */
export interface RequestBinding {
  readonly cnf?: Confirmation | undefined;
}

/** RFC 9449 5: a token bound to a DPoP key is of type DPoP; any other is a Bearer token. */
export function tokenTypeFor(cnf: Confirmation | undefined): 'Bearer' | 'DPoP' {
  return cnf?.jkt === undefined ? 'Bearer' : 'DPoP';
}

/**
 * RFC 9449 5: a public client's refresh token is bound to its DPoP key (it has
 * no other credential); a confidential client's is not (its authentication
 * already binds it), though each new access token is.
 */
export function refreshBindingFor(
  client: RegisteredClient,
  binding: RequestBinding,
): Confirmation | undefined {
  return client.metadata.token_endpoint_auth_method === 'none' && binding.cnf?.jkt !== undefined
    ? { jkt: binding.cnf.jkt }
    : undefined;
}

export const GRANT_HANDLERS = Symbol('GrantHandlers');
