import { renderOAuthError, type HttpResponse } from '@idp/oauth-errors';
import { escapeHtml, hiddenInput, layout } from '../interaction/html';
import { retryAfterOf } from '../interaction/pages';

/** Form fields of the confirmation page, besides the logout parameters it carries back. */
export const LOGOUT_FORM_FIELDS = { csrf: 'csrf', decision: 'decision' } as const;
export type LogoutDecision = 'logout' | 'stay';

/** Seconds the logged-out page waits for the front-channel iframes before it moves on. */
export const FRAME_WAIT_SECONDS = 2;

export interface ConfirmPageInput {
  readonly issuer: string;
  readonly action: string;
  readonly csrf: string;
  /** The logout request's parameters, sent back with the answer (re-validated then). */
  readonly params: Readonly<Record<string, string | undefined>>;
  /** client_name of the client that asked, when it could be identified. */
  readonly clientName?: string;
}

/**
 * "Log out of <issuer>?" (RP-Initiated Logout 1.0 section 2: the OP asks
 * when it cannot tell that the request comes from the session's user). Both
 * answers are buttons of one CSRF-protected POST form.
 */
export function renderConfirmPage(input: ConfirmPageInput): string {
  const fields = Object.entries(input.params)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([name, value]) => hiddenInput(name, value));
  const body = [
    `<h1>Log out of ${escapeHtml(input.issuer)}?</h1>`,
    input.clientName === undefined
      ? '<p>You will be signed out of every application that uses this sign-in.</p>'
      : `<p>${escapeHtml(input.clientName)} asks to sign you out. You will be signed out of every application that uses this sign-in.</p>`,
    `<form method="post" action="${escapeHtml(input.action)}">`,
    hiddenInput(LOGOUT_FORM_FIELDS.csrf, input.csrf),
    ...fields,
    `<button type="submit" name="${LOGOUT_FORM_FIELDS.decision}" value="logout">Log out</button>`,
    `<button type="submit" class="secondary" name="${LOGOUT_FORM_FIELDS.decision}" value="stay">Stay signed in</button>`,
    '</form>',
  ].join('\n');
  return layout('Log out', body);
}

export interface LoggedOutPageInput {
  /** Front-channel logout URIs of the session's clients, one iframe each. */
  readonly frames: readonly string[];
  /** The validated post_logout_redirect_uri to move on to (after the frames had their time). */
  readonly continueTo?: string;
}

/**
 * "You have been logged out", with the front-channel iframes (Front-Channel
 * Logout 1.0 section 3: the OP renders the RPs' logout URIs in iframes) and,
 * when the RP gave a registered post_logout_redirect_uri, a meta refresh and
 * a link to it. The iframes are invisible and sandboxed: an RP's logout page
 * may clear its cookies, nothing more.
 */
export function renderLoggedOutPage(input: LoggedOutPageInput): string {
  const frames = input.frames
    .map(
      (src) =>
        `<iframe src="${escapeHtml(src)}" title="logout" width="0" height="0" hidden` +
        ` sandbox="allow-same-origin allow-scripts" referrerpolicy="no-referrer"></iframe>`,
    )
    .join('\n');
  const target = input.continueTo;
  const body = [
    '<h1>You have been logged out</h1>',
    target === undefined
      ? '<p>You can close this window.</p>'
      : `<p><a href="${escapeHtml(target)}">Return to the application</a></p>`,
  ].join('\n');
  // A single quote would end the URL in the refresh value; it is percent-encoded instead.
  const refresh =
    target === undefined
      ? ''
      : `<meta http-equiv="refresh" content="${FRAME_WAIT_SECONDS}; url='${escapeHtml(target.replace(/'/g, '%27'))}'">`;
  return layout('Logged out', body, frames, refresh);
}

/** The user chose to stay signed in on the confirmation page. */
export function renderStillSignedInPage(): string {
  return layout(
    'Still signed in',
    '<h1>You are still signed in</h1>\n<p>Nothing was changed. You can close this window.</p>',
  );
}

/** Errors of /logout: never a redirect (nothing validated), never a message from a stack. */
export function renderLogoutErrorPage(err: unknown): HttpResponse<string> {
  const rendered = renderOAuthError(err);
  const headers = retryAfterOf(rendered.headers);
  const { error, error_description } = rendered.body;
  const body = [
    rendered.status === 503
      ? '<h1>Logout could not complete yet: try again shortly</h1>'
      : '<h1>Logout could not complete</h1>',
    `<p class="error" role="alert"><code>${escapeHtml(error)}</code></p>`,
    error_description === undefined ? '' : `<p>${escapeHtml(error_description)}</p>`,
    '<p>Return to the application and try again.</p>',
  ].join('\n');
  return { status: rendered.status, headers, body: layout('Logout error', body) };
}
