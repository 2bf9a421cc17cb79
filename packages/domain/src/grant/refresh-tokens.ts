import { InvalidGrant, InvalidScope } from '@idp/oauth-errors';
import type { RefreshTokens } from './grant.commands';
import { GrantErrors } from './grant.errors';
import {
  accessTokenIssued,
  idTokenIssued,
  refreshTokenIssued,
  type PendingGrantEvent,
} from './grant.events';
import type { GrantState } from './grant.state';
import { reuseDetected } from './refresh-reuse-response';
import { hasScope, narrowScope, withinRegistration } from './scope';
import { checkGranted } from '../resource/resource-indicators';

/**
 * RFC 6749 6 with mandatory rotation (RFC 9700 4.14.2). A rotated-away token
 * presented again means two parties hold the chain: the reuse is recorded and
 * the whole grant revoked by events (the handler appends them, then raises
 * invalid_grant), and with `end_session` the handler ends its session too
 * (ADR 0038). Reuse is judged before expiry for the same reason as code replay.
 * Two refreshes racing with one token cannot both win: the loser's append
 * conflicts, and decided again on the fresh stream its token is rotated away.
 */
export function refreshTokens(cmd: RefreshTokens, state: GrantState): PendingGrantEvent[] {
  if (state.status === 'empty') throw new InvalidGrant(GrantErrors.refreshInvalid);
  const current = state.refreshToken?.hash === cmd.presentedHash ? state.refreshToken : undefined;
  const rotated = !current && state.rotatedRefreshHashes.has(cmd.presentedHash);
  if ((!current && !rotated) || state.clientId !== cmd.clientId)
    throw new InvalidGrant(GrantErrors.refreshInvalid);
  if (state.status === 'revoked') throw new InvalidGrant(GrantErrors.refreshRevoked);
  if (!current) return reuseDetected(state, cmd, cmd.meta);
  if (current.exp <= cmd.meta.now) throw new InvalidGrant(GrantErrors.refreshExpired);
  // RFC 9449 5: a bound refresh token needs a proof by its key (thumbprints are public values).
  const boundTo = current.cnf?.jkt;
  if (boundTo !== undefined && cmd.proofJkt !== boundTo)
    throw new InvalidGrant(GrantErrors.refreshKeyMismatch);
  // What the client is still registered for bounds the grant: an offline grant whose client
  // lost offline_access is over (its refresh token only existed to outlive the session).
  const grantScope = withinRegistration(state.scope, cmd.clientScope);
  if (hasScope(state.scope, 'offline_access') && !hasScope(grantScope, 'offline_access'))
    throw new InvalidGrant(GrantErrors.offlineAccessWithdrawn);
  const accessScope = narrowScope(grantScope, cmd.scope);
  if (accessScope === undefined) throw new InvalidScope(GrantErrors.scopeWidened);
  // RFC 8707 2.2: the access token may target one of the grant's resources; the grant
  // and its new refresh token keep them all.
  if (cmd.resource !== undefined) checkGranted(cmd.resource, state.resources);

  const { accessToken, refreshToken, idToken } = cmd.tokens;
  return [
    // RFC 6749 6: the new refresh token keeps the grant's scope (as the client's registration
    // still allows it); only the access token narrows to the request.
    // Rotation keeps the binding: the chain stays with the key it started with.
    refreshTokenIssued(
      state,
      grantScope,
      current.cnf === undefined ? refreshToken : { ...refreshToken, cnf: current.cnf },
      cmd.meta,
      current.hash,
    ),
    accessTokenIssued(state, accessScope, accessToken, cmd.meta),
    ...(idToken ? [idTokenIssued(state, idToken, cmd.meta)] : []),
  ];
}
