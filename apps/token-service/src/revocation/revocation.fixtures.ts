// Token flows for the revocation specs (no jest globals here, so it also type-checks in the build).
import type { INestApplicationContext } from '@nestjs/common';
import type { ClientAuthentication } from '@idp/contracts';
import { s256Challenge } from '@idp/domain';
import { AuthorizeService } from '../grants/authorize.service';
import { TokenEndpoint } from '../grants/token-endpoint.service';

export const CLIENT_SECRET = 's'.repeat(32);
export const REDIRECT_URI = 'https://rp.example/cb';
const TOKEN_ENDPOINT = 'http://localhost:3000/token';

export const basic = (clientId: string, secret = CLIENT_SECRET): ClientAuthentication => ({
  method: 'client_secret_basic',
  clientId,
  secret,
});

export interface Subject {
  readonly sub: string;
  readonly sid: string;
}

/**
 * A code-flow grant: access token (in the client's format) and refresh token.
 * `pkce`: a code verifier, sent as its S256 challenge and then itself (a public client needs one).
 */
export async function codeFlowTokens(
  app: INestApplicationContext,
  clientId: string,
  subject: Subject = { sub: 'u1', sid: 'sid-1' },
  auth: ClientAuthentication = basic(clientId),
  scope: readonly string[] = ['openid'],
  pkce?: string,
) {
  const { code } = await app.get(AuthorizeService).authorize({
    clientId,
    ...subject,
    authTime: Math.floor(Date.now() / 1000),
    amr: ['pwd'],
    scope: [...scope],
    redirectUri: REDIRECT_URI,
    redirectUriSupplied: true,
    responseType: 'code',
    ...(pkce === undefined
      ? {}
      : { codeChallenge: s256Challenge(pkce), codeChallengeMethod: 'S256' as const }),
  });
  return app.get(TokenEndpoint).handle({
    params: {
      grant_type: 'authorization_code',
      code: code!,
      redirect_uri: REDIRECT_URI,
      ...(pkce === undefined ? {} : { code_verifier: pkce }),
    },
    clientAuth: auth,
    endpoint: TOKEN_ENDPOINT,
  });
}

export const refreshTokens = (
  app: INestApplicationContext,
  clientId: string,
  refreshToken: string,
) =>
  app.get(TokenEndpoint).handle({
    params: { grant_type: 'refresh_token', refresh_token: refreshToken },
    clientAuth: basic(clientId),
    endpoint: TOKEN_ENDPOINT,
  });

/** A confidential code-flow client with CLIENT_SECRET, registered by an operator. */
export const webClient = (clientId: string, over: Record<string, unknown> = {}) => ({
  client_id: clientId,
  redirect_uris: [REDIRECT_URI],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  scope: 'openid',
  token_endpoint_auth_method: 'client_secret_basic',
  ...over,
});
