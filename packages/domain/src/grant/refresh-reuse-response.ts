import {
  RefreshTokenReuseDetected,
  type ClientMetadata,
  type RefreshReuseResponse,
} from '@idp/contracts';
import { eventMeta, type CommandMeta } from '../decider';
import type { RefreshTokens } from './grant.commands';
import { grantRevoked, type PendingGrantEvent } from './grant.events';
import type { Grant } from './grant.state';

/**
 * The response a client's reused refresh token gets (ADR 0038): its own
 * `refresh_reuse_response`, else the operator's REFRESH_REUSE_RESPONSE,
 * else by the kind of client. A public client (`none`) has no credential
 * that a thief lacks: the refresh token is all it takes, so its theft ends
 * the session (RFC 9700 4.14.2 asks public clients' refresh tokens to be
 * sender-constrained or rotated, and rotation only detects). A confidential
 * client's thief also needs the client's credential, so revoking the grant
 * is the proportionate default there.
 */
export function refreshReuseResponseFor(
  client: Pick<ClientMetadata, 'refresh_reuse_response' | 'token_endpoint_auth_method'>,
  setting: RefreshReuseResponse | undefined,
): RefreshReuseResponse {
  return (
    client.refresh_reuse_response ??
    setting ??
    (client.token_endpoint_auth_method === 'none' ? 'end_session' : 'revoke_grant')
  );
}

/**
 * What a rotated-away refresh token presented again appends: one
 * `grant.reuse_detected` naming the presented token (its keyed hash), the
 * caller's IP and the response, then the grant's revocation caused by it
 * (its causation id). `end_session` needs a session to end: a grant without
 * a sid falls back to `revoke_grant`, and the event says so (policy ≠
 * response). The session's other grants and the session itself are the
 * handler's and session-service's to revoke and end, from this event.
 */
export function reuseDetected(
  state: Grant,
  cmd: Pick<RefreshTokens, 'presentedHash' | 'onReuse' | 'callerIp'>,
  meta: CommandMeta,
): PendingGrantEvent[] {
  const response =
    cmd.onReuse === 'end_session' && state.sid !== undefined ? 'end_session' : 'revoke_grant';
  const detected = RefreshTokenReuseDetected.create(
    {
      grantId: state.grantId,
      clientId: state.clientId,
      ...(state.sub === undefined ? {} : { sub: state.sub }),
      ...(state.sid === undefined ? {} : { sid: state.sid }),
      presentedTokenHash: cmd.presentedHash,
      ...(cmd.callerIp === undefined ? {} : { ip: cmd.callerIp }),
      policy: cmd.onReuse,
      response,
    },
    eventMeta(meta),
  );
  return [
    detected,
    grantRevoked(state, 'refresh_token_reuse', { ...meta, causationId: detected.id }),
  ];
}
