import { requestedUserClaims } from '@idp/domain';
import { InvalidRequest, type HttpResponse } from '@idp/oauth-errors';
import type { EdgeConfig } from '../http/edge-config';
import type { HttpOutcome } from '../http/http-outcome';
import { issueCsrf } from './csrf';
import { pageHeaders } from './html';
import type { Interaction } from './interaction-store';
import { renderConsentPage, renderErrorPage, renderLoginPage, type LoginError } from './pages';

/** The page of the interaction's current step. */
export function interactionView(edge: EdgeConfig, interaction: Interaction): HttpOutcome {
  return interaction.step === 'login'
    ? loginView(edge, interaction)
    : consentView(edge, interaction);
}

export interface LoginViewOptions {
  readonly status?: number;
  /** E.g. Retry-After on a 429 or 503 login page. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly error?: LoginError;
  /** What the user typed; login_hint otherwise (OIDC Core 3.1.2.1). */
  readonly username?: string;
}

/** Every rendering gets a fresh CSRF token bound to the interaction id from the cookie. */
export function loginView(
  edge: EdgeConfig,
  interaction: Interaction,
  options: LoginViewOptions = {},
): HttpOutcome {
  const body = renderLoginPage({
    action: edge.url(`/interaction/${interaction.id}/login`),
    interactionId: interaction.id,
    csrf: issueCsrf(edge.csrfKey, interaction.id),
    clientName: interaction.clientName,
    username: options.username ?? interaction.request.login_hint,
    error: options.error,
  });
  return { status: options.status ?? 200, headers: { ...pageHeaders(), ...options.headers }, body };
}

export function consentView(edge: EdgeConfig, interaction: Interaction, status = 200): HttpOutcome {
  const body = renderConsentPage({
    action: edge.url(`/interaction/${interaction.id}/consent`),
    interactionId: interaction.id,
    csrf: issueCsrf(edge.csrfKey, interaction.id),
    clientName: interaction.clientName,
    scopes: interaction.request.scope,
    claims: requestedUserClaims(interaction.request.claims),
  });
  return { status, headers: pageHeaders(), body };
}

/**
 * No interaction cookie for this id: expired, finished, forged, or opened in
 * another browser. There is no trusted redirect_uri without it, so the user
 * gets our page and goes back to the application.
 */
export function expiredView(): HttpOutcome {
  const err = new InvalidRequest(
    'this sign-in request has expired or is already complete; return to the application and start again',
  );
  err.allowRedirect = false;
  return errorPageResponse(err);
}

/**
 * Our error page for any failure of a browser-facing route, including what
 * the framework refuses before the handler runs (a body over the limit, an
 * unknown content type): `@RenderErrorsWith(errorPageResponse)`. A browser
 * gets a page, not JSON.
 */
export function errorPageResponse(err: unknown): HttpResponse<string> {
  const page = renderErrorPage(err);
  return { status: page.status, headers: { ...pageHeaders(), ...page.headers }, body: page.body };
}
