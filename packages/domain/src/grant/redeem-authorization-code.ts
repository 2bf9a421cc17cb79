import { AuthorizationCodeRedeemed } from '@idp/contracts';
import { InvalidGrant, InvalidRequest } from '@idp/oauth-errors';
import { eventMeta } from '../decider';
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
import { checkGranted } from '../resource/resource-indicators';

/**
 * RFC 6749 4.1.3 + RFC 7636 4.6. A code is good for one redemption attempt:
 * once the presented code is identified as this grant's, any failure (another
 * client, PKCE, redirect_uri, expiry) spends it like a replay does (a code is
 * single-use, RFC 6749 10.5), revoking whatever the grant issued (the tokens of a
 * hybrid response), so a code that leaked cannot be tried again with a
 * better guess. Failures and replays are answered with a revocation event,
 * not an exception: the handler appends it, then raises invalid_grant with
 * the failure's description (see rejectionFor). A replay is judged before
 * expiry: a code used twice proves a leak however late the second use comes.
 * A code that is not this grant's, a malformed verifier (the request is
 * malformed, the code never looked at) and a grant already revoked append
 * nothing.
 */
export function redeemAuthorizationCode(
  cmd: RedeemAuthorizationCode,
  state: GrantState,
): PendingGrantEvent[] {
  if (cmd.codeVerifier !== undefined && !isValidCodeVerifier(cmd.codeVerifier))
    throw new InvalidRequest(GrantErrors.verifierSyntax);
  if (state.status === 'empty' || state.code === undefined)
    throw new InvalidGrant(GrantErrors.codeInvalid);
  if (state.code.hash !== cmd.codeHash) throw new InvalidGrant(GrantErrors.codeInvalid);
  const failure = presenterFailure(state, cmd);
  if (state.status === 'revoked') throw new InvalidGrant(failure ?? GrantErrors.codeRevoked);
  if (failure !== undefined) return [grantRevoked(state, 'code_misuse', cmd.meta, failure)];
  if (state.code.redeemed) return [grantRevoked(state, 'code_replay', cmd.meta)];
  if (state.code.exp <= cmd.meta.now)
    return [grantRevoked(state, 'code_misuse', cmd.meta, GrantErrors.codeExpired)];
  // Judged once the presenter is known to be the grant's client (another client learns
  // nothing); a malformed request, not a misuse: nothing is appended and the code stays
  // redeemable with a resource the authorization granted.
  if (cmd.resource !== undefined) checkGranted(cmd.resource, state.resources);

  const { accessToken, refreshToken, idToken } = cmd.tokens;
  return [
    AuthorizationCodeRedeemed.create(
      { grantId: state.grantId, codeHash: state.code.hash, clientId: state.clientId },
      eventMeta(cmd.meta),
    ),
    accessTokenIssued(state, state.scope, accessToken, cmd.meta),
    ...(refreshToken ? [refreshTokenIssued(state, state.scope, refreshToken, cmd.meta)] : []),
    ...(idToken ? [idTokenIssued(state, idToken, cmd.meta)] : []),
  ];
}

/**
 * Why the presenter of the grant's own code is not the one it was issued
 * for, or undefined. Another client's attempt reads like an unknown code, so
 * a presenter learns nothing about grants it does not own.
 */
function presenterFailure(state: Grant, cmd: RedeemAuthorizationCode): string | undefined {
  if (state.clientId !== cmd.clientId) return GrantErrors.codeInvalid;
  if (!pkceSatisfied(state.codeChallenge, state.codeChallengeMethod, cmd.codeVerifier))
    return GrantErrors.pkceFailed;
  return redirectUriProblem(state, cmd.redirectUri);
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
