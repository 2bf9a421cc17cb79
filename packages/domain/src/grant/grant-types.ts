/**
 * The grant types this server supports, defined once. token-service
 * registers exactly one grant handler per token-endpoint grant type (its
 * registry is a record keyed by TokenGrantType, so a grant type without a
 * handler does not compile); discovery's `grant_types_supported`, client
 * metadata validation and the issuance metrics read this list.
 */
export const TOKEN_GRANT_TYPES = [
  'authorization_code',
  'refresh_token',
  'client_credentials',
  'urn:ietf:params:oauth:grant-type:token-exchange',
  /** RFC 8628 3.4: the device authorization grant. */
  'urn:ietf:params:oauth:grant-type:device_code',
] as const;
export const DEVICE_CODE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code';
export type TokenGrantType = (typeof TOKEN_GRANT_TYPES)[number];

/** Implicit has no token-endpoint handler: /authorize itself returns its tokens. */
export const SUPPORTED_GRANT_TYPES = [...TOKEN_GRANT_TYPES, 'implicit'] as const;
export type SupportedGrantType = (typeof SUPPORTED_GRANT_TYPES)[number];

/** RFC 8693 2.1. */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
