import { renderOAuthError, type HttpResponse } from '@idp/oauth-errors';
import { escapeHtml, hiddenInput, layout } from './html';
import { describeScope } from './scope-descriptions';

/** Form field names the login and consent handlers read. */
export const FORM_FIELDS = {
  username: 'username',
  password: 'password',
  csrf: 'csrf',
  interaction: 'interaction_id',
  decision: 'decision',
} as const;

export type ConsentDecision = 'allow' | 'deny';

/** Fixed messages only: nothing the user or an attacker typed is ever shown back as an error. */
export type LoginError = 'invalid_credentials' | 'expired' | 'throttled' | 'busy';
const LOGIN_ERRORS: Readonly<Record<LoginError, string>> = {
  invalid_credentials: 'Wrong username or password.',
  expired: 'This sign-in form expired. Please try again.',
  // The same words whether or not the username exists, locked or only delayed (ADR 0016).
  throttled: 'Too many failed sign-in attempts. Wait a while, then try again.',
  busy: 'Sign-in is busy right now. Try again shortly.',
};

export interface LoginPageInput {
  /** Where the form posts, e.g. `/interaction/<id>/login`. */
  readonly action: string;
  readonly interactionId: string;
  readonly csrf: string;
  /** client_name, or client_id when it has none. */
  readonly clientName: string;
  /** Prefill (login_hint, or what the user typed before a failed attempt). */
  readonly username?: string | undefined;
  readonly error?: LoginError | undefined;
}

export function renderLoginPage(input: LoginPageInput): string {
  const error = input.error === undefined ? undefined : LOGIN_ERRORS[input.error];
  const described = error === undefined ? '' : ' aria-describedby="login-error"';
  const body = [
    `<h1>Sign in to continue to ${escapeHtml(input.clientName)}</h1>`,
    error === undefined
      ? ''
      : `<p class="error" id="login-error" role="alert">${escapeHtml(error)}</p>`,
    `<form method="post" action="${escapeHtml(input.action)}">`,
    hiddenInput(FORM_FIELDS.csrf, input.csrf),
    hiddenInput(FORM_FIELDS.interaction, input.interactionId),
    '<label for="username">Username</label>',
    `<input id="username" name="${FORM_FIELDS.username}" type="text" autocomplete="username"` +
      ` autocapitalize="none" spellcheck="false" required${described}` +
      ` value="${escapeHtml(input.username ?? '')}">`,
    '<label for="password">Password</label>',
    `<input id="password" name="${FORM_FIELDS.password}" type="password"` +
      ` autocomplete="current-password" required${described}>`,
    '<button type="submit">Sign in</button>',
    '</form>',
  ].join('\n');
  return layout('Sign in', body);
}

export interface ConsentPageInput {
  readonly action: string;
  readonly interactionId: string;
  readonly csrf: string;
  readonly clientName: string;
  /** The scopes to grant (AuthorizationRequest.scope). */
  readonly scopes: readonly string[];
  /** User claims named by the `claims` request parameter (OIDC Core 5.5), beyond the scopes. */
  readonly claims?: readonly string[];
}

/** Allow and Deny are two submit buttons of one form, so both carry the CSRF token. */
export function renderConsentPage(input: ConsentPageInput): string {
  const items = input.scopes
    .map(
      (s) =>
        `<li>${escapeHtml(describeScope(s))} <small>(<code>${escapeHtml(s)}</code>)</small></li>`,
    )
    .join('\n');
  const claims = input.claims?.length
    ? `\n<li>See these details of your account: ${input.claims
        .map((c) => `<code>${escapeHtml(c)}</code>`)
        .join(', ')}</li>`
    : '';
  const body = [
    `<h1>${escapeHtml(input.clientName)} wants to:</h1>`,
    `<ul>\n${items}${claims}\n</ul>`,
    `<form method="post" action="${escapeHtml(input.action)}">`,
    hiddenInput(FORM_FIELDS.csrf, input.csrf),
    hiddenInput(FORM_FIELDS.interaction, input.interactionId),
    `<button type="submit" name="${FORM_FIELDS.decision}" value="allow">Allow</button>`,
    `<button type="submit" class="secondary" name="${FORM_FIELDS.decision}" value="deny">Deny</button>`,
    '</form>',
  ].join('\n');
  return layout('Allow access', body);
}

/**
 * The page for errors that must not go to a redirect_uri (unknown client,
 * bad redirect_uri, malformed request). Goes through renderOAuthError, so
 * anything that is not an OAuthError shows as server_error with a generic
 * description: never a message or stack trace. A 503 (a storage fault, a
 * service failing over) asks the user to try again shortly and carries the
 * Retry-After of the error.
 */
export function renderErrorPage(err: unknown): HttpResponse<string> {
  const rendered = renderOAuthError(err);
  const headers = retryAfterOf(rendered.headers);
  if (rendered.status === 503) {
    return { status: 503, headers, body: layout('Try again shortly', TRY_AGAIN_BODY) };
  }
  const { error, error_description } = rendered.body;
  const body = [
    '<h1>Sign-in could not continue</h1>',
    `<p class="error" role="alert"><code>${escapeHtml(error)}</code></p>`,
    error_description === undefined ? '' : `<p>${escapeHtml(error_description)}</p>`,
    '<p>Return to the application and try again.</p>',
  ].join('\n');
  return { status: rendered.status, headers, body: layout('Error', body) };
}

const TRY_AGAIN_BODY = [
  '<h1>Try again shortly</h1>',
  '<p class="error" role="alert"><code>temporarily_unavailable</code></p>',
  '<p>The service is briefly unavailable. Nothing was lost: wait a few seconds, then reload this page or go back and try again.</p>',
].join('\n');

/** Only Retry-After of an error's headers belongs on a page (the rest is for JSON answers). */
export function retryAfterOf(headers: Readonly<Record<string, string>>): Record<string, string> {
  const value = headers['Retry-After'];
  return value === undefined ? {} : { 'Retry-After': value };
}
