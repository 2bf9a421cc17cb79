import { asOAuthError, OAuthError } from '@idp/oauth-errors';
import type { AuthorizationRedirect, AuthorizationRequest } from './types';

/**
 * An authorization endpoint error that may go back to the client: it carries
 * the already validated redirect_uri, the response mode and the state
 * (RFC 6749 4.1.2.1). It is an OAuthError, so a filter that does not know it
 * still renders it safely as JSON.
 *
 * The rule for callers: redirect only an `AuthorizationError`; every other
 * error (bad client_id or redirect_uri, repeated parameters, anything thrown
 * before the redirect_uri was checked) is rendered as an error page.
 */
export class AuthorizationError extends OAuthError {
  override readonly name = 'AuthorizationError';

  constructor(
    inner: OAuthError,
    readonly redirect: AuthorizationRedirect,
  ) {
    super(inner.error, {
      status: inner.status,
      description: inner.description,
      headers: inner.headers,
      cause: inner.cause,
    });
  }
}

export function redirectOf(request: AuthorizationRequest): AuthorizationRedirect {
  return request.state === undefined
    ? { redirectUri: request.redirect_uri, responseMode: request.response_mode }
    : {
        redirectUri: request.redirect_uri,
        responseMode: request.response_mode,
        state: request.state,
      };
}

/**
 * Makes any failure after validation (login_required for prompt=none,
 * access_denied from the consent page, an RPC failure) redirectable. A
 * storage fault becomes temporarily_unavailable and any other unknown error
 * server_error: RFC 6749 4.1.2.1 defines both because a 503 or a 500 cannot
 * be sent through a redirect. Errors that forbid redirecting are returned
 * unchanged.
 */
export function toAuthorizationError(
  err: unknown,
  target: AuthorizationRedirect | AuthorizationRequest,
): OAuthError {
  if (err instanceof AuthorizationError) return err;
  const e = asOAuthError(err);
  if (!e.allowRedirect) return e;
  return new AuthorizationError(e, 'redirectUri' in target ? target : redirectOf(target));
}
