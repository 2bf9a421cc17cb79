import type { ClientAuthentication } from '@idp/contracts';

type Method = ClientAuthentication['method'];

/** How a request authenticated with each method looks, in words a developer recognises. */
const USED: Readonly<Record<Method, string>> = {
  client_secret_basic: 'client_secret_basic (HTTP Basic credentials)',
  client_secret_post: 'client_secret_post (client_secret in the form body)',
  client_secret_jwt: 'client_secret_jwt (a client_assertion MACed with the client secret)',
  private_key_jwt: 'private_key_jwt (a client_assertion)',
  none: 'none (no client credentials)',
};

/**
 * The error_description when a known client authenticates with a method
 * other than the one it registered (OIDC Registration
 * token_endpoint_auth_method): the single most common integration mistake,
 * and a bare "client authentication failed" hides it. It names the
 * registered method only, never a secret; a client_id and its registered
 * method are not secrets (both appear in registration responses), while
 * wrong secrets and unknown clients keep the one generic answer.
 */
export function authMethodMismatch(registered: Method, used: Method): string {
  return (
    `client authentication failed: this client is registered for ${registered}, ` +
    `but the request used ${USED[used]}`
  );
}
