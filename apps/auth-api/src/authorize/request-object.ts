import { Inject, Injectable } from '@nestjs/common';
import { TOKEN_RPC, type ClientMetadata, type TokenRpcClient } from '@idp/contracts';
import { parseParams, type Params } from '@idp/nest-kit';
import { InvalidRequest, OAuthError, asOAuthError } from '@idp/oauth-errors';
import { AuthorizationError } from './authorization-error';
import { checkClient, checkRedirectUri } from './client-redirect';
import { checkState } from './param-checks';
import { errorResponseMode, normaliseResponseType } from './response-type';

/** RFC 9126 2.2: the request_uri POST /par mints is a URN under this prefix (the RFC's example, what clients expect). */
export const PAR_REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';

export function isPushedRequestUri(value: string | undefined): boolean {
  return value?.startsWith(PAR_REQUEST_URI_PREFIX) === true;
}

/**
 * The one step in front of authorization request validation (/authorize,
 * and any other endpoint that takes the same parameters) that turns a
 * request object (RFC 9101, OIDC Core 6) into the parameters to validate.
 *
 * The rule, RFC 9101 6.3 with what OIDC Core 6.1 needs to stay compatible:
 * - without `request` or `request_uri` the parameters are used as sent;
 * - with both: invalid_request (RFC 9101 5);
 * - with either, ONLY the request object's parameters are used, plus the
 *   query's `client_id` (which the object, when it names one, must equal).
 *   Every other query parameter (redirect_uri, scope, state, nonce, PKCE…)
 *   is ignored, even when the object lacks it: a value outside the signature
 *   never reaches the request;
 * - the query's `response_type`, if sent (OIDC Core 6.1 makes RPs send it),
 *   must equal the object's (as a set of values): invalid_request otherwise,
 *   so an RP that meant two different requests learns it;
 * - a `request_uri` minted by pushed authorization requests (RFC 9126) is
 *   left as is, for that endpoint's resolver.
 *
 * Verification is token-service's (its `requestObject` RPC): it holds the
 * client keys and the guarded outbound client a request_uri is fetched with.
 *
 * Errors (invalid_request_object, invalid_request_uri,
 * request_uri_not_supported) go to the client only when the query's own
 * redirect_uri is registered for it (the object's cannot be trusted when the
 * object is not), with the query's state; otherwise they are shown on our
 * page, as for an unknown client.
 */
@Injectable()
export class RequestObjectResolver {
  constructor(@Inject(TOKEN_RPC) private readonly tokens: TokenRpcClient) {}

  async resolve(params: Params, client: ClientMetadata | undefined): Promise<Params> {
    const request = params['request'];
    const requestUri = params['request_uri'];
    if (request === undefined && requestUri === undefined) return params;
    if (request === undefined && isPushedRequestUri(requestUri)) return params;
    // An unknown client: validation shows its error page; there is nothing to verify with.
    if (client === undefined || client.client_id !== params['client_id']) return params;
    try {
      return await this.fromObject(params, client.client_id, request, requestUri);
    } catch (err) {
      throw withTrustedRedirect(err, params, client);
    }
  }

  private async fromObject(
    params: Params,
    clientId: string,
    request: string | undefined,
    requestUri: string | undefined,
  ): Promise<Params> {
    if (request !== undefined && requestUri !== undefined)
      throw new InvalidRequest('request and request_uri must not both be sent');
    const { params: carried } = await this.tokens.requestObject(
      request === undefined ? { clientId, requestUri } : { clientId, request },
    );
    let effective: Params;
    try {
      // The same syntax rules as a query: parameter names, lengths.
      effective = parseParams(carried);
    } catch (err) {
      throw new OAuthError('invalid_request_object', {
        description: `the request object's parameters are invalid: ${asOAuthError(err).description ?? ''}`,
      });
    }
    checkResponseTypeMatches(params['response_type'], effective['response_type']);
    return effective;
  }
}

/** OIDC Core 6.1: response_type in the query "MUST match" the request object's. */
function checkResponseTypeMatches(query: string | undefined, object: string | undefined): void {
  if (query === undefined) return;
  const same =
    object !== undefined &&
    (normaliseResponseType(query) ?? query) === (normaliseResponseType(object) ?? object);
  if (!same)
    throw new InvalidRequest('response_type in the query does not match the request object');
}

/**
 * Redirect an error to the client only through the query's redirect_uri,
 * checked as validation checks it (registered, exact match); any error of
 * that check, or of the query's state, means the error page.
 */
function withTrustedRedirect(err: unknown, params: Params, client: ClientMetadata): OAuthError {
  const e = asOAuthError(err);
  if (!e.allowRedirect) return e;
  try {
    checkClient(params, client);
    const { redirectUri } = checkRedirectUri(params, client);
    const state = checkState(params['state']);
    return new AuthorizationError(e, {
      redirectUri,
      responseMode: errorResponseMode(params['response_type'], params['response_mode']),
      ...(state === undefined ? {} : { state }),
    });
  } catch {
    e.allowRedirect = false;
    return e;
  }
}
