import type { ClaimsRequest, ClientMetadata } from '@idp/contracts';
import { authorizationResources, checkEssentialAcr, claimsRequestForClient } from '@idp/domain';
import { InvalidRequest, UnauthorizedClient, UnsupportedResponseType } from '@idp/oauth-errors';
import { toAuthorizationError } from './authorization-error';
import { parseClaimsParameter } from './claims-parameter';
import { checkClient, checkRedirectUri } from './client-redirect';
import type { Params } from '@idp/nest-kit';
import { checkMaxAge, checkPrompt, checkState, checkUnsupported, list } from './param-checks';
import { checkPkce } from './pkce';
import {
  defaultResponseMode,
  errorResponseMode,
  includesCode,
  isModeAllowed,
  isResponseMode,
  normaliseResponseType,
  returnsTokens,
} from './response-type';
import { checkScope } from './scope';
import type { AuthorizationRequest, ResponseMode, ResponseType } from './types';

export interface AuthorizationRequestOptions {
  /** RFC 7636 `plain`; off unless a legacy client needs it. */
  readonly allowPlainPkce: boolean;
  /** scopes_supported from discovery; anything else is ignored. */
  readonly supportedScopes: readonly string[];
}

/**
 * Validates /authorize parameters (already through `parseParams`) for the
 * client the caller looked up by client_id.
 *
 * The order is the security property: client_id and redirect_uri first, and
 * their errors are plain OAuthErrors with `allowRedirect = false` (error
 * page). Every later error is an `AuthorizationError` carrying the checked
 * redirect_uri, the response mode and the state, for the caller to send back
 * with `renderAuthorizationError`.
 *
 * Request objects (`request`, `request_uri`) are resolved before this, by
 * RequestObjectResolver: what it gets are the effective parameters.
 * Not supported, on purpose: `registration` is refused with its OIDC Core
 * 3.1.2.6 code; `display` is ignored.
 */
export function validateAuthorizationRequest(
  params: Params,
  client: ClientMetadata | undefined,
  options: AuthorizationRequestOptions,
): AuthorizationRequest {
  const { clientId, client: registered } = checkClient(params, client);
  const { redirectUri, supplied } = checkRedirectUri(params, registered);
  const state = checkState(params['state']);
  try {
    return {
      client_id: clientId,
      redirect_uri: redirectUri,
      redirect_uri_supplied: supplied,
      ...(state === undefined ? {} : { state }),
      ...checkRest(params, registered, options),
    };
  } catch (err) {
    const responseMode = errorResponseMode(params['response_type'], params['response_mode']);
    throw toAuthorizationError(err, {
      redirectUri,
      responseMode,
      ...(state === undefined ? {} : { state }),
    });
  }
}

type Rest = Omit<AuthorizationRequest, 'client_id' | 'redirect_uri' | 'redirect_uri_supplied'>;

function checkRest(
  params: Params,
  client: ClientMetadata,
  options: AuthorizationRequestOptions,
): Rest {
  checkUnsupported(params);
  const responseType = checkResponseType(params['response_type'], client);
  const responseMode = checkResponseMode(params['response_mode'], responseType);
  const { scope, ignored } = checkScope(
    params['scope'],
    client,
    responseType,
    options.supportedScopes,
  );
  const nonce = params['nonce'];
  // OIDC Core 3.2.2.1 and 3.3.2.11: nonce is REQUIRED in the implicit and
  // hybrid flows, where a token arrives through the browser and could be replayed.
  if (returnsTokens(responseType) && nonce === undefined) {
    throw new InvalidRequest('nonce is required for the implicit and hybrid flows');
  }
  // PKCE protects the code; without a code there is nothing to bind.
  const pkce = includesCode(responseType) ? checkPkce(params, client, options) : {};
  // RFC 8707 2.1: each resource one the client registered; invalid_target otherwise.
  const resource = authorizationResources(params['resource'], client.resources);
  const claims = checkClaims(params['claims'], scope, client);
  return {
    response_type: responseType,
    response_mode: responseMode,
    scope,
    ignored_scopes: ignored,
    ...optional(params, 'nonce', 'login_hint', 'id_token_hint'),
    ...pkce,
    prompt: checkPrompt(params['prompt']),
    ...checkMaxAge(params['max_age']),
    ui_locales: list(params['ui_locales']),
    acr_values: list(params['acr_values']),
    ...(resource.length ? { resource } : {}),
    ...(claims ? { claims } : {}),
  };
}

/**
 * OIDC Core 5.5. Malformed is invalid_request whatever the scope; in a plain
 * OAuth request (no `openid`) there is no ID token or /userinfo to honour it,
 * so a well-formed one is ignored. An Essential acr we can never assert fails
 * here, before anyone is asked to sign in (5.5.1.1: access_denied).
 */
function checkClaims(
  raw: string | undefined,
  scope: readonly string[],
  client: ClientMetadata,
): ClaimsRequest | undefined {
  const parsed = parseClaimsParameter(raw);
  if (!scope.includes('openid')) return undefined;
  const claims = claimsRequestForClient(parsed, client.scope);
  checkEssentialAcr(claims);
  return claims;
}

/**
 * RFC 6749 4.1.2.1: a type we do not serve is unsupported_response_type; one
 * we serve but the client did not register is unauthorized_client.
 */
function checkResponseType(raw: string | undefined, client: ClientMetadata): ResponseType {
  if (raw === undefined) throw new InvalidRequest('missing required parameter response_type');
  const type = normaliseResponseType(raw);
  if (type === undefined) throw new UnsupportedResponseType('unsupported response_type');
  if (!client.response_types.some((t) => normaliseResponseType(t) === type)) {
    throw new UnauthorizedClient('the client is not registered for this response_type');
  }
  return type;
}

function checkResponseMode(raw: string | undefined, type: ResponseType): ResponseMode {
  if (raw === undefined) return defaultResponseMode(type);
  if (!isResponseMode(raw)) throw new InvalidRequest('unsupported response_mode');
  if (!isModeAllowed(type, raw)) {
    throw new InvalidRequest('response_mode query is not allowed when tokens are returned');
  }
  return raw;
}

function optional<K extends string>(params: Params, ...names: K[]): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const name of names) {
    const value = params[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}
