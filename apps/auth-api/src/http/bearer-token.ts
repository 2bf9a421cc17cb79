import { safeDescription } from '@idp/nest-kit';
import {
  InvalidToken,
  MissingBearerToken,
  OAuthError,
  renderOAuthError,
  type HttpResponse,
} from '@idp/oauth-errors';
import type { Params, RawParams } from '@idp/nest-kit';

/** token-service's limit (userinfo schema): a longer value is no token of ours. */
export const MAX_ACCESS_TOKEN_LENGTH = 16_384;
/** RFC 6750 2.1: b64token. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

export interface BearerSources {
  readonly authorization: string | undefined;
  readonly query: RawParams;
  /** The form body, for POST only (RFC 6750 2.2); undefined for GET or a non-form body. */
  readonly form?: Params | undefined;
}

/**
 * The access token of a protected resource request (RFC 6750 2): the
 * `Authorization: Bearer` header (scheme case-insensitive, RFC 7235 2.1) or
 * the form body's access_token. RFC 6750 2 "Clients MUST NOT use more than
 * one method to transmit the token in each request": two are invalid_request.
 * The query method (2.3) is refused: URLs end up in logs and Referer headers.
 * No token at all, or another scheme (e.g. Basic), is 401 with a bare Bearer
 * challenge and no error code (3.1).
 */
export function bearerToken(sources: BearerSources): string {
  return presentedToken(sources).token;
}

/** An access token and the scheme it came with: Bearer (RFC 6750) or DPoP (RFC 9449 7.1). */
export interface PresentedToken {
  readonly token: string;
  readonly scheme: 'Bearer' | 'DPoP';
}

/**
 * As `bearerToken`, and also `Authorization: DPoP <token>` (RFC 9449 7.1,
 * the header only: the form body carries Bearer tokens). The DPoP proof
 * itself is the caller's to check.
 */
export function presentedToken(sources: BearerSources): PresentedToken {
  if (isPresent(sources.query['access_token'])) {
    throw bearerInvalidRequest('access_token in the query string is not accepted');
  }
  const fromHeader = headerToken(sources.authorization);
  const fromBody = sources.form?.['access_token'];
  if (fromHeader !== undefined && fromBody !== undefined) {
    throw bearerInvalidRequest('the access token must be sent by one method only');
  }
  const token = fromHeader?.token ?? fromBody;
  if (token === undefined) throw new MissingBearerToken();
  if (token.length > MAX_ACCESS_TOKEN_LENGTH) throw new InvalidToken();
  return { token, scheme: fromHeader?.scheme ?? 'Bearer' };
}

function headerToken(header: string | undefined): PresentedToken | undefined {
  const value = header?.trim();
  if (value === undefined || value === '') return undefined;
  const space = value.indexOf(' ');
  const name = (space < 0 ? value : value.slice(0, space)).toLowerCase();
  const scheme = name === 'bearer' ? 'Bearer' : name === 'dpop' ? 'DPoP' : undefined;
  if (scheme === undefined) return undefined;
  const token = space < 0 ? '' : value.slice(space + 1).trim();
  if (!B64TOKEN.test(token)) throw bearerInvalidRequest(`malformed ${scheme} Authorization header`);
  return { token, scheme };
}

function isPresent(raw: RawParams[string]): boolean {
  return Array.isArray(raw) ? raw.some((v) => v !== '') : raw !== undefined && raw !== '';
}

/** RFC 6750 3.1 invalid_request: 400, with the challenge. `description` is a fixed text without quotes. */
function bearerInvalidRequest(description: string): OAuthError {
  return new OAuthError('invalid_request', {
    description,
    headers: {
      'WWW-Authenticate': `Bearer realm="idp", error="invalid_request", error_description="${description}"`,
    },
  });
}

/**
 * RFC 6750 3: every error of a protected resource request carries a Bearer
 * challenge, also the ones raised before our handler runs (413, 415) or by
 * the form parser (a repeated parameter). `@RenderErrorsWith(bearerErrorResponse)`
 * on /userinfo; errors that already have a challenge keep it, server errors
 * get none.
 */
export function bearerErrorResponse(err: unknown): HttpResponse {
  const rendered = renderOAuthError(err);
  const description =
    rendered.body.error_description === undefined
      ? undefined
      : safeDescription(rendered.body.error_description);
  const body =
    description === undefined
      ? rendered.body
      : { ...rendered.body, error_description: description };
  const headers: Record<string, string> = { ...rendered.headers };
  const challenged = Object.keys(headers).some((h) => h.toLowerCase() === 'www-authenticate');
  if (!challenged && rendered.status < 500) {
    headers['WWW-Authenticate'] =
      `Bearer realm="idp", error="${rendered.body.error}"` +
      (description === undefined ? '' : `, error_description="${description}"`);
  }
  return { status: rendered.status, headers, body };
}
