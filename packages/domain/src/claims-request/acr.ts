import type { ClaimsRequest } from '@idp/contracts';
import { AccessDenied } from '@idp/oauth-errors';

/**
 * The authentication context classes we can assert (OIDC Core 2, `acr`).
 * Signing in is by password only, so there is one: every session meets it,
 * and no request can ask for more than we can give. A second factor would
 * add a value here and the step-up that reaches it.
 */
export const PASSWORD_ACR = 'urn:idp:acr:pwd';
export const ACR_VALUES_SUPPORTED: readonly string[] = [PASSWORD_ACR];

/**
 * The acr a session achieved. Sessions record it from their login; a session
 * started before they did has only its amr, from which the class follows.
 */
export function acrOfSession(session: {
  readonly acr?: string | undefined;
  readonly amr: readonly string[];
}): string | undefined {
  if (session.acr !== undefined) return session.acr;
  return session.amr.includes('pwd') ? PASSWORD_ACR : undefined;
}

/** The acr values an `id_token.acr` request accepts (`value` or `values`), or undefined for any. */
function acceptableAcr(request: ClaimsRequest | undefined): readonly unknown[] | undefined {
  const acr = request?.id_token?.['acr'];
  if (!acr) return undefined;
  if (acr.values !== undefined) return acr.values;
  if (acr.value !== undefined) return [acr.value];
  return undefined;
}

/** Whether `id_token.acr` was requested as Essential (OIDC Core 5.5.1.1). */
export function acrIsEssential(request: ClaimsRequest | undefined): boolean {
  return request?.id_token?.['acr']?.essential === true;
}

/**
 * OIDC Core 5.5.1.1: an Essential `acr` with values must be met by one of
 * them, else the outcome is a failed authentication: access_denied, sent to
 * the client. Without values, or not Essential, it is best effort (the ID
 * token says what was achieved), and so is `acr_values` (3.1.2.1: voluntary).
 *
 * `achieved` undefined is checked against what we could ever assert: at
 * /authorize, before anyone signs in, an unmeetable request fails at once.
 */
export function checkEssentialAcr(
  request: ClaimsRequest | undefined,
  achieved?: string | undefined,
): void {
  if (!acrIsEssential(request)) return;
  const acceptable = acceptableAcr(request);
  if (acceptable === undefined) return;
  const reachable = achieved === undefined ? ACR_VALUES_SUPPORTED : [achieved];
  if (!acceptable.some((v) => typeof v === 'string' && reachable.includes(v)))
    throw new AccessDenied('the essential authentication context class (acr) cannot be met');
}
