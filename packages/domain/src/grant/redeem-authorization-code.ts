import { AuthorizationCodeRedeemed } from '@idp/contracts';
import { InvalidGrant, InvalidRequest } from '@idp/oauth-errors';
import type { RedeemAuthorizationCode } from './grant.commands';
import { GrantErrors } from './grant.errors';
import {
  accessTokenIssued,
  grantRevoked,
  idTokenIssued,
  refreshTokenIssued,
  type PendingGrantEvent,
} from './grant.events';
import type { Grant, GrantState } from './grant.state';
import { isValidCodeVerifier, pkceSatisfied } from './pkce';

/**
 * RFC 6749 4.1.3 + RFC 7636 4.6. The checks that prove the presenter is the
 * code's client (client, PKCE, redirect_uri) run before replay detection, so a
 * thief holding only the code cannot make us revoke its owner's grant
 * (node-oidc-provider orders them the same way). A replay is answered with a
 * revocation event, not an exception: the handler appends it, then raises
 * invalid_grant (see rejectionFor). Replay is checked before expiry: a code
 * used twice proves a leak however late the second use comes.
 */
export function redeemAuthorizationCode(
  cmd: RedeemAuthorizationCode,
  state: GrantState,
): PendingGrantEvent[] {
  if (cmd.codeVerifier !== undefined && !isValidCodeVerifier(cmd.codeVerifier))
    throw new InvalidRequest(GrantErrors.verifierSyntax);
  if (state.status === 'empty' || state.code === undefined)
    throw new InvalidGrant(GrantErrors.codeInvalid);
  if (state.code.hash !== cmd.codeHash || state.clientId !== cmd.clientId)
    throw new InvalidGrant(GrantErrors.codeInvalid);
  if (!pkceSatisfied(state.codeChallenge, state.codeChallengeMethod, cmd.codeVerifier))
    throw new InvalidGrant(GrantErrors.pkceFailed);
  const redirectProblem = redirectUriProblem(state, cmd.redirectUri);
  if (redirectProblem) throw new InvalidGrant(redirectProblem);
  if (state.status === 'revoked') throw new InvalidGrant(GrantErrors.codeRevoked);
  if (state.code.redeemed) return [grantRevoked(state, 'code_replay', cmd.meta)];
  if (state.code.exp <= cmd.meta.now) throw new InvalidGrant(GrantErrors.codeExpired);

  const { accessToken, refreshToken, idToken } = cmd.tokens;
  const meta = { correlationId: cmd.meta.correlationId };
  return [
    AuthorizationCodeRedeemed.create(
      { grantId: state.grantId, codeHash: state.code.hash, clientId: state.clientId },
      meta,
    ),
    accessTokenIssued(state, state.scope, accessToken, cmd.meta),
    ...(refreshToken ? [refreshTokenIssued(state, state.scope, refreshToken, cmd.meta)] : []),
    ...(idToken ? [idTokenIssued(state, idToken, cmd.meta)] : []),
  ];
}

/**
 * RFC 6749 4.1.3: if the authorization request included redirect_uri, the
 * token request must repeat it, identical. If it did not (one registered
 * URI, no openid), it may be left out; one sent anyway must still be the URI
 * the code went to, or we would accept a value the client never used.
 */
function redirectUriProblem(state: Grant, presented: string | undefined): string | undefined {
  if (presented === undefined)
    return state.redirectUriSupplied === false ? undefined : GrantErrors.redirectUriRequired;
  return presented === state.redirectUri ? undefined : GrantErrors.redirectUriMismatch;
}
