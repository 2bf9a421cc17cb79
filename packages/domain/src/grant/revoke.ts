import { UnauthorizedClient } from '@idp/oauth-errors';
import type { RevokeAccessToken, RevokeGrant } from './grant.commands';
import { GrantErrors } from './grant.errors';
import { accessTokenRevoked, grantRevoked, type PendingGrantEvent } from './grant.events';
import type { Grant, GrantState } from './grant.state';

/**
 * RFC 7009 2.1: a client may only revoke its own tokens. An exchanged access
 * token (RFC 8693) is its exchanging client's: that client may revoke it,
 * though not the grant it belongs to.
 */
function assertOwner(
  grant: Grant,
  requestedBy: string | undefined,
  issuedTo: string = grant.clientId,
): void {
  if (requestedBy !== undefined && requestedBy !== issuedTo)
    throw new UnauthorizedClient(GrantErrors.notYourToken);
}

/**
 * Idempotent: revoking an unknown or already revoked grant appends nothing,
 * so retries and duplicate logout events are harmless (RFC 7009 2.2: an
 * invalid token is not an error).
 */
export function revokeGrant(cmd: RevokeGrant, state: GrantState): PendingGrantEvent[] {
  if (state.status === 'empty') return [];
  assertOwner(state, cmd.requestedBy);
  if (state.status === 'revoked') return [];
  return [grantRevoked(state, cmd.reason, cmd.meta)];
}

/**
 * One access token only: the refresh token and other access tokens stay
 * usable. Nothing to append when the token is unknown, already revoked,
 * already expired (nothing left to deny) or its grant is revoked.
 */
export function revokeAccessToken(cmd: RevokeAccessToken, state: GrantState): PendingGrantEvent[] {
  if (state.status === 'empty') return [];
  const token = state.accessTokens.get(cmd.jti);
  if (!token) return [];
  assertOwner(state, cmd.requestedBy, token.issuedTo);
  if (state.status === 'revoked' || token.revoked || token.exp <= cmd.meta.now) return [];
  return [accessTokenRevoked(state, token, cmd.reason ?? 'client_request', cmd.meta)];
}
