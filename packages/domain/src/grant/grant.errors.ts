/**
 * The invalid_grant descriptions (RFC 6749 5.2 lets us say invalid, expired,
 * revoked, redirect_uri mismatch or another client's). An unknown code and
 * another client's code read the same, so a presenter learns nothing about
 * grants it does not own.
 */
export const GrantErrors = {
  codeInvalid: 'authorization code is invalid',
  codeExpired: 'authorization code is expired',
  codeRevoked: 'authorization code has been revoked',
  codeReplayed: 'authorization code has already been used',
  pkceFailed: 'PKCE verification failed',
  redirectUriMismatch: 'redirect_uri does not match the authorization request',
  redirectUriRequired: 'redirect_uri is required: the authorization request included it',
  refreshInvalid: 'refresh token is invalid',
  refreshExpired: 'refresh token is expired',
  refreshKeyMismatch: 'refresh token is bound to a DPoP key this request did not prove',
  refreshRevoked: 'refresh token has been revoked',
  refreshReused: 'refresh token has already been used',
  scopeWidened: 'requested scope exceeds the scope originally granted',
  offlineAccessWithdrawn:
    'refresh token is no longer valid: the client may no longer use offline_access',
  verifierSyntax: 'code_verifier must be 43 to 128 characters of [A-Za-z0-9-._~]',
  notYourToken: 'client is not authorized to revoke the presented token',
  subjectGone: 'the end-user account no longer exists',
  subjectTokenInactive: 'the subject token is not active',
} as const;
