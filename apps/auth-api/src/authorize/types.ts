import type { ClaimsRequest } from '@idp/contracts';

/**
 * The response types we serve, each normalised to its values sorted
 * (RFC 6749 3.1.1: order does not matter). Plain `token` (the OAuth implicit
 * grant) and `none` are deliberately absent: OAuth 2.0 Security BCP
 * (RFC 9700 2.1.2) says not to issue access tokens in the front channel alone.
 */
export const RESPONSE_TYPES = [
  'code',
  'id_token',
  'id_token token',
  'code id_token',
  'code token',
  'code id_token token',
] as const;
export type ResponseType = (typeof RESPONSE_TYPES)[number];

/** OAuth 2.0 Multiple Response Type Encoding Practices 2.1 + Form Post Response Mode. */
export const RESPONSE_MODES = ['query', 'fragment', 'form_post'] as const;
export type ResponseMode = (typeof RESPONSE_MODES)[number];

/** OIDC Core 3.1.2.1. */
export const PROMPTS = ['none', 'login', 'consent', 'select_account'] as const;
export type Prompt = (typeof PROMPTS)[number];

export type CodeChallengeMethod = 'S256' | 'plain';

/**
 * A validated authorization request. Protocol names are kept so the value can
 * be stored with the interaction and handed to the token service as is.
 */
export interface AuthorizationRequest {
  readonly client_id: string;
  /** The redirect_uri responses go to: the one sent, or the single registered one. */
  readonly redirect_uri: string;
  /**
   * Whether redirect_uri was in the request. RFC 6749 4.1.3: the token request
   * must then repeat it, so the code has to remember.
   */
  readonly redirect_uri_supplied: boolean;
  readonly response_type: ResponseType;
  readonly response_mode: ResponseMode;
  /** Unique values, in request order, unknown and unregistered ones dropped. */
  readonly scope: readonly string[];
  /** Requested values we ignored (RFC 6749 3.3: the token response must then say `scope`). */
  readonly ignored_scopes: readonly string[];
  readonly state?: string;
  readonly nonce?: string;
  /** Set only when the response type includes `code`. */
  readonly code_challenge?: string;
  readonly code_challenge_method?: CodeChallengeMethod;
  /** Unique values; `none` is always alone. */
  readonly prompt: readonly Prompt[];
  /** Seconds (OIDC Core 3.1.2.1). */
  readonly max_age?: number;
  readonly login_hint?: string;
  /** Passed through unverified: checking it needs the signing keys. */
  readonly id_token_hint?: string;
  readonly ui_locales: readonly string[];
  readonly acr_values: readonly string[];
  /**
   * RFC 8707 resource indicators, unique, each registered for the client;
   * absent when the request named none. Kept with the code's grant: each
   * token request may pick one of them.
   */
  readonly resource?: readonly string[];
  /**
   * The OIDC `claims` request parameter (Core 5.5), parsed, with only the
   * claims we can release and the client may ask for; absent when none is left
   * or the request is not an OpenID one.
   */
  readonly claims?: ClaimsRequest;
}

/** Where (and how) an error or a success for this request may be sent back. */
export interface AuthorizationRedirect {
  readonly redirectUri: string;
  readonly responseMode: ResponseMode;
  readonly state?: string;
}
