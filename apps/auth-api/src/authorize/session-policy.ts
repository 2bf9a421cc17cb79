import type { ClientMetadata, SessionView } from '@idp/contracts';
import { ConsentRequired, LoginRequired } from '@idp/oauth-errors';
import type { AuthorizationRequest } from './types';

/** The session comes back with the steps that need it, so callers never have to assert it. */
export type NextStep<S> =
  | { readonly step: 'login' }
  | { readonly step: 'consent'; readonly session: S }
  | { readonly step: 'issue'; readonly session: S };

/**
 * What /authorize does with a validated request and the browser's session
 * (OIDC Core 3.1.2.1 prompt and max_age, 3.1.2.3):
 * - login when there is no session, prompt=login, or the last
 *   authentication is older than max_age (max_age=0 always re-authenticates);
 * - consent when needed (`needsConsent`);
 * - otherwise issue at once.
 * With prompt=none no page may be shown: login_required or consent_required
 * instead (3.1.2.6). `now` is seconds since the epoch.
 */
export function nextStep<S extends Pick<SessionView, 'authTime'>>(
  request: Pick<AuthorizationRequest, 'prompt' | 'max_age'>,
  client: Pick<ClientMetadata, 'skip_consent'>,
  session: S | undefined,
  now: number,
): NextStep<S> {
  const silent = request.prompt.includes('none');
  if (session === undefined || needsLogin(request, session, now)) {
    if (silent) throw new LoginRequired('end-user authentication is required');
    return { step: 'login' };
  }
  if (needsConsent(request, client)) {
    if (silent) throw new ConsentRequired('end-user consent is required');
    return { step: 'consent', session };
  }
  return { step: 'issue', session };
}

function needsLogin(
  request: Pick<AuthorizationRequest, 'prompt' | 'max_age'>,
  session: Pick<SessionView, 'authTime'>,
  now: number,
): boolean {
  if (request.prompt.includes('login')) return true;
  if (request.max_age === undefined) return false;
  return request.max_age === 0 || now - session.authTime > request.max_age;
}

/**
 * Consents are not remembered yet: a client is asked every time unless it is
 * registered with skip_consent (first-party apps). prompt=consent asks even
 * then (OIDC Core 3.1.2.1).
 */
export function needsConsent(
  request: Pick<AuthorizationRequest, 'prompt'>,
  client: Pick<ClientMetadata, 'skip_consent'>,
): boolean {
  return request.prompt.includes('consent') || !client.skip_consent;
}
