import { Logger } from '@nestjs/common';
import { randomBase64url } from '@idp/crypto';
import { renderOAuthError } from '@idp/oauth-errors';
import { seeOther, type HttpOutcome } from '../http/http-outcome';
import { pageHeaders } from '../interaction/html';
import { renderErrorPage } from '../interaction/pages';
import { AuthorizationError } from './authorization-error';
import {
  renderAuthorizationError,
  type AuthorizationResponse,
  type AuthorizationResponseOptions,
  type ResponseParams,
} from './authorization-response';
import type { AuthorizationRedirect, AuthorizationRequest } from './types';
import { type TokenRpcClient } from '@idp/contracts';

const log = new Logger('Authorize');

/** Where a pending request's response goes (the redirect_uri was validated at /authorize). */
export function redirectTarget(
  request: Pick<AuthorizationRequest, 'redirect_uri' | 'response_mode' | 'state'>,
): AuthorizationRedirect {
  return {
    redirectUri: request.redirect_uri,
    responseMode: request.response_mode,
    ...(request.state === undefined ? {} : { state: request.state }),
  };
}

/** token-service's authorize result as response parameters (RFC 6749 4.1.2, 4.2.2; OIDC Core 3.3.2.5). */
export function responseParams(
  result: Awaited<ReturnType<TokenRpcClient['authorize']>>,
): ResponseParams {
  return {
    code: result.code,
    id_token: result.id_token,
    access_token: result.access_token,
    token_type: result.token_type,
    expires_in: result.expires_in?.toString(),
    // RFC 6749 4.2.2: scope describes the access token; there is none in the code flow.
    scope: result.access_token === undefined ? undefined : result.scope,
  };
}

/** A fresh CSP nonce per response, for the form_post page's script. */
export function responseOptions(issuer: string): AuthorizationResponseOptions {
  return { issuer, scriptNonce: randomBase64url(16) };
}

export function fromAuthorizationResponse(response: AuthorizationResponse): HttpOutcome {
  return response.kind === 'redirect'
    ? seeOther(response.location, response.headers)
    : { status: 200, headers: response.headers, body: response.body };
}

/**
 * An error of the authorization flow: to the client when it may go there
 * (an AuthorizationError, RFC 6749 4.1.2.1), else on our own error page.
 * A server-side failure is logged here, by name and message only; the
 * response says server_error (or temporarily_unavailable) and nothing more.
 */
export function errorOutcome(err: unknown, issuer: string): HttpOutcome {
  const rendered = renderOAuthError(err);
  if (rendered.status >= 500) {
    log.error(`${rendered.body.error}: ${describe(rendered.cause ?? err)}`);
  }
  if (err instanceof AuthorizationError) {
    return fromAuthorizationResponse(renderAuthorizationError(err, responseOptions(issuer)));
  }
  const page = renderErrorPage(err);
  return { status: page.status, headers: { ...pageHeaders(), ...page.headers }, body: page.body };
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
