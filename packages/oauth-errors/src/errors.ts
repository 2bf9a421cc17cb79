import { dpopChallenge } from './dpop-errors';
import { OAuthError, type OAuthErrorCode, type OAuthErrorOptions } from './oauth-error';

/** Quotes a value for an auth-param (RFC 9110 quoted-string). */
function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** Mints a subclass per code, with the RFC's default status (node-oidc-provider's `E()`). */
function define(code: OAuthErrorCode, status = 400) {
  return class extends OAuthError {
    override readonly name = code;
    constructor(description?: string, options: Omit<OAuthErrorOptions, 'description'> = {}) {
      super(code, { status, ...options, ...(description === undefined ? {} : { description }) });
    }
  };
}

export const InvalidRequest = define('invalid_request');
export const InvalidGrant = define('invalid_grant');
export const UnauthorizedClient = define('unauthorized_client');
export const UnsupportedGrantType = define('unsupported_grant_type');
export const InvalidScope = define('invalid_scope');
export const AccessDenied = define('access_denied');
export const UnsupportedResponseType = define('unsupported_response_type');
export const UnsupportedTokenType = define('unsupported_token_type');
export const InvalidTarget = define('invalid_target');
export const InvalidClientMetadata = define('invalid_client_metadata');
export const LoginRequired = define('login_required');
export const ConsentRequired = define('consent_required');
export const InteractionRequired = define('interaction_required');
/** RFC 8628 3.5: the device flow's polling answers, all 400 like other token errors. */
export const AuthorizationPending = define('authorization_pending');
export const SlowDown = define('slow_down');
export const ExpiredToken = define('expired_token');

/** Seconds a client should wait before trying again when nothing more precise is known. */
export const RETRY_AFTER_SECONDS = 2;

/**
 * 503 with a `Retry-After` (RFC 9110 10.2.3), so a client backs off instead
 * of hammering a service that is failing over; a caller's own header wins.
 */
export class TemporarilyUnavailable extends OAuthError {
  override readonly name: string = 'temporarily_unavailable';
  constructor(description?: string, options: Omit<OAuthErrorOptions, 'description'> = {}) {
    super('temporarily_unavailable', {
      status: 503,
      ...options,
      headers: { 'Retry-After': String(RETRY_AFTER_SECONDS), ...options.headers },
      ...(description === undefined ? {} : { description }),
    });
  }
}

/** A bad redirect_uri is shown to the user, never redirected to (RFC 6749 4.1.2.1). */
export class InvalidRedirectUri extends OAuthError {
  override readonly name = 'invalid_redirect_uri';
  constructor(
    description = "redirect_uri did not match any of the client's registered redirect_uris",
  ) {
    super('invalid_redirect_uri', { description });
    this.allowRedirect = false;
  }
}

/**
 * RFC 6749 5.2: 401 with a `WWW-Authenticate` naming the scheme the client
 * tried (Basic when it used the Authorization header).
 */
export class InvalidClient extends OAuthError {
  override readonly name = 'invalid_client';
  constructor(
    description = 'client authentication failed',
    options: { scheme?: 'Basic' | null; cause?: unknown } = {},
  ) {
    const scheme = options.scheme === undefined ? 'Basic' : options.scheme;
    super('invalid_client', {
      description,
      status: 401,
      headers: scheme ? { 'WWW-Authenticate': `${scheme} realm="idp"` } : {},
      cause: options.cause,
    });
  }
}

function bearerChallenge(fields: Record<string, string | undefined>): string {
  const params = Object.entries(fields)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${k}=${quote(v)}`);
  return params.length ? `Bearer ${params.join(', ')}` : 'Bearer';
}

/**
 * RFC 6750 3.1: no credentials at all → a bare challenge, no error code.
 * `dpopAlgs`: a resource that also takes DPoP-bound tokens offers that
 * scheme too, with the algs it accepts (RFC 9449 7.1), in the same header.
 */
export class MissingBearerToken extends OAuthError {
  override readonly name = 'missing_token';
  constructor(realm = 'idp', options: { readonly dpopAlgs?: readonly string[] } = {}) {
    const bearer = bearerChallenge({ realm });
    const { dpopAlgs } = options;
    super('invalid_request', {
      status: 401,
      headers: {
        'WWW-Authenticate':
          dpopAlgs === undefined ? bearer : `${bearer}, ${dpopChallenge({ algs: dpopAlgs })}`,
      },
    });
  }
  override toJSON() {
    return { error: 'invalid_request' as const, error_description: 'no access token provided' };
  }
}

export class InvalidToken extends OAuthError {
  override readonly name = 'invalid_token';
  constructor(description = 'the access token is invalid, expired or revoked', realm = 'idp') {
    super('invalid_token', {
      description,
      status: 401,
      headers: {
        'WWW-Authenticate': bearerChallenge({
          realm,
          error: 'invalid_token',
          error_description: description,
        }),
      },
    });
  }
}

export class InsufficientScope extends OAuthError {
  override readonly name = 'insufficient_scope';
  constructor(
    scope: string,
    description = 'the access token lacks a required scope',
    realm = 'idp',
  ) {
    super('insufficient_scope', {
      description,
      status: 403,
      headers: {
        'WWW-Authenticate': bearerChallenge({
          realm,
          error: 'insufficient_scope',
          error_description: description,
          scope,
        }),
      },
    });
  }
}

export class ServerError extends OAuthError {
  override readonly name = 'server_error';
  constructor(cause?: unknown) {
    super('server_error', { status: 500, description: 'an unexpected error occurred', cause });
  }
}
