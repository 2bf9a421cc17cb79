import type { ClientState } from './client.state';

// Questions /authorize, /token and /logout ask about a client. A client that
// is not registered (unknown or deleted) allows nothing.

/** RFC 6749 2.1: a client that cannot keep a secret authenticates with nothing. */
export function isPublic(client: ClientState): boolean {
  return client.status === 'registered' && client.metadata.token_endpoint_auth_method === 'none';
}

export function allowsGrant(client: ClientState, grantType: string): boolean {
  return client.status === 'registered' && client.metadata.grant_types.includes(grantType);
}

/** OIDC Core 3: `code id_token` and `id_token code` are the same response type. */
export function allowsResponseType(client: ClientState, responseType: string): boolean {
  if (client.status !== 'registered') return false;
  const wanted = [...new Set(responseType.split(' '))].sort().join(' ');
  return client.metadata.response_types.some((rt) => rt.split(' ').sort().join(' ') === wanted);
}

/** Exact string comparison, no normalisation (RFC 9700 2.1, OIDC Core 3.1.2.1). */
export function redirectUriRegistered(client: ClientState, uri: string): boolean {
  return client.status === 'registered' && client.metadata.redirect_uris.includes(uri);
}

export function postLogoutRedirectUriRegistered(client: ClientState, uri: string): boolean {
  return client.status === 'registered' && client.metadata.post_logout_redirect_uris.includes(uri);
}
