import type { TokenResponse } from '@idp/contracts';
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
  ): Promise<TokenResponse>;
}

export const GRANT_HANDLERS = Symbol('GrantHandlers');
