import type { ClientMetadata } from '@idp/contracts';
import { InvalidRedirectUri, InvalidRequest, OAuthError } from '@idp/oauth-errors';
import type { Params } from '@idp/nest-kit';

/** An error shown on our own error page: the client cannot be trusted with it. */
function pageOnly(err: OAuthError): OAuthError {
  err.allowRedirect = false;
  return err;
}

/**
 * The first check of every authorization request: who the client is. No error
 * from here is ever redirected, since there is no trusted redirect_uri yet
 * (RFC 6749 4.1.2.1: "MUST NOT automatically redirect the user-agent").
 * `client` is what the caller looked up by `params.client_id`.
 */
export function checkClient(
  params: Params,
  client: ClientMetadata | undefined,
): { clientId: string; client: ClientMetadata } {
  const clientId = params['client_id'];
  if (clientId === undefined) {
    throw pageOnly(new InvalidRequest('missing required parameter client_id'));
  }
  if (client === undefined || client.client_id !== clientId) {
    // invalid_client as node-oidc-provider does, but 400: this is a page, not a token request.
    throw pageOnly(new OAuthError('invalid_client', { description: 'unknown client_id' }));
  }
  return { clientId, client };
}

/**
 * RFC 6749 3.1.2.3 with OAuth 2.0 Security BCP (RFC 9700 4.1.3): the
 * redirect_uri must equal a registered one character for character (no
 * normalisation of case, trailing slash, port or query; that is how open
 * redirectors get in). It may be left out only when the client registered
 * exactly one, and never in an OpenID request (OIDC Core 3.1.2.1: REQUIRED).
 */
export function checkRedirectUri(
  params: Params,
  client: ClientMetadata,
): { redirectUri: string; supplied: boolean } {
  const requested = params['redirect_uri'];
  if (requested !== undefined) {
    if (!client.redirect_uris.includes(requested)) throw new InvalidRedirectUri();
    return { redirectUri: requested, supplied: true };
  }
  const isOpenId = (params['scope'] ?? '').split(' ').includes('openid');
  const [only, ...others] = client.redirect_uris;
  if (isOpenId || only === undefined || others.length > 0) {
    throw new InvalidRedirectUri(
      isOpenId
        ? 'redirect_uri is required in an OpenID Connect request'
        : 'redirect_uri is required unless the client registered exactly one',
    );
  }
  return { redirectUri: only, supplied: false };
}
