/**
 * OAuth 2.0 / OIDC error codes we emit (RFC 6749 4.1.2.1 and 5.2, RFC 6750
 * 3.1, RFC 7009 2.2.1, RFC 8707, RFC 8628 3.5, OIDC Core 3.1.2.6).
 */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'unsupported_response_type'
  | 'server_error'
  | 'temporarily_unavailable'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'unsupported_token_type'
  | 'invalid_target'
  | 'invalid_redirect_uri'
  | 'invalid_client_metadata'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'
  | 'interaction_required'
  | 'login_required'
  | 'consent_required'
  | 'account_selection_required'
  | 'invalid_request_uri'
  | 'invalid_request_object'
  | 'request_not_supported'
  | 'request_uri_not_supported'
  | 'registration_not_supported'
  | 'authorization_pending'
  | 'slow_down'
  | 'expired_token';

export interface OAuthErrorOptions {
  readonly description?: string | undefined;
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly cause?: unknown;
}

/**
 * A protocol error that may be shown to the client. `expose` is false only
 * for server_error: its description is replaced by a generic one on output
 * and the cause goes to the logs. `allowRedirect` is false when the error
 * must not be sent to the redirect_uri (the redirect_uri itself is bad).
 */
export class OAuthError extends Error {
  override readonly name: string = 'OAuthError';
  readonly status: number;
  readonly description: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly expose: boolean;
  allowRedirect = true;

  constructor(
    readonly error: OAuthErrorCode,
    options: OAuthErrorOptions = {},
  ) {
    super(
      options.description ?? error,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.status = options.status ?? 400;
    this.description = options.description;
    this.headers = options.headers ?? {};
    this.expose = error !== 'server_error';
  }

  /** The JSON body of RFC 6749 5.2; never includes the cause. */
  toJSON(): { error: OAuthErrorCode; error_description?: string } {
    return this.description === undefined
      ? { error: this.error }
      : { error: this.error, error_description: this.description };
  }
}
