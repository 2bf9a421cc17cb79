import type { ClientMetadata } from '@idp/contracts';
import type { Params } from '@idp/nest-kit';
import { InvalidRequest } from '@idp/oauth-errors';
import type { IdTokenHint } from './id-token-hint';

/** The parameters of an RP-Initiated Logout request (OIDC RP-Initiated Logout 1.0 section 2). */
export const LOGOUT_PARAMS = [
  'id_token_hint',
  'client_id',
  'post_logout_redirect_uri',
  'state',
  'ui_locales',
  'logout_hint',
] as const;

/** A logout request whose every part was checked; `redirect` is safe to send the browser to. */
export interface LogoutRequest {
  readonly hint?: IdTokenHint;
  readonly client?: ClientMetadata;
  /** The registered post_logout_redirect_uri with `state` appended; absent: our own page. */
  readonly redirect?: string;
  /** The logout parameters as received, for the confirmation form to send back. */
  readonly params: Readonly<Partial<Record<(typeof LOGOUT_PARAMS)[number], string>>>;
}

export interface LogoutRequestDeps {
  readonly verifyHint: (token: string) => Promise<IdTokenHint>;
  readonly findClient: (clientId: string) => Promise<ClientMetadata | undefined>;
}

/**
 * Validates a logout request. Nothing here is ever redirected: until the
 * post_logout_redirect_uri is matched exactly against the registration of a
 * client we could identify (client_id, or the hint's audience), the only
 * safe answer to a problem is our own error page.
 */
export async function validateLogoutRequest(
  input: Params,
  deps: LogoutRequestDeps,
): Promise<LogoutRequest> {
  const params = pick(input);
  const hint =
    params.id_token_hint === undefined ? undefined : await deps.verifyHint(params.id_token_hint);
  if (hint !== undefined && params.client_id !== undefined && !hint.aud.includes(params.client_id))
    throw refused('client_id does not match the audience of id_token_hint');
  const clientId = params.client_id ?? hint?.clientId;
  const client = clientId === undefined ? undefined : await deps.findClient(clientId);
  if (params.client_id !== undefined && client === undefined) throw refused('unknown client_id');
  const uri = params.post_logout_redirect_uri;
  if (uri === undefined)
    return { ...(hint ? { hint } : {}), ...(client ? { client } : {}), params };
  if (client === undefined)
    throw refused('post_logout_redirect_uri needs client_id or an id_token_hint of a known client');
  // Exact string comparison, no normalisation (RP-Initiated Logout 1.0 section 2, RFC 9700 2.1).
  if (!client.post_logout_redirect_uris.includes(uri))
    throw refused('post_logout_redirect_uri is not registered for this client');
  return {
    ...(hint ? { hint } : {}),
    client,
    redirect: withState(uri, params.state),
    params,
  };
}

/** `state` as a query parameter of the registered URI (which never has a fragment). */
export function withState(uri: string, state: string | undefined): string {
  if (state === undefined) return uri;
  const separator = uri.includes('?') ? (/[?&]$/.test(uri) ? '' : '&') : '?';
  return `${uri}${separator}state=${encodeURIComponent(state)}`;
}

function pick(input: Params): LogoutRequest['params'] {
  const out: Partial<Record<(typeof LOGOUT_PARAMS)[number], string>> = {};
  for (const name of LOGOUT_PARAMS) {
    const value = input[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function refused(description: string): InstanceType<typeof InvalidRequest> {
  const err = new InvalidRequest(description);
  err.allowRedirect = false;
  return err;
}
