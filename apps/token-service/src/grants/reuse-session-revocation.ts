import { Injectable } from '@nestjs/common';
import { RefreshTokenReuseDetected, type PendingEvent } from '@idp/contracts';
import { GrantRevocations } from '../revocation/grant-revocations.service';

/**
 * refresh reuse's `end_session` response, token-service's half (ADR 0038):
 * every grant of the reused grant's SSO session revoked, tombstones written,
 * before /token answers invalid_grant, so no introspection replica and no
 * /userinfo call reports any token of the session active once it has. Each
 * revocation names the `grant.reuse_detected` event as its cause. Ending
 * the session itself (session.ended, back-channel logout) is
 * session-service's, from the same event, asynchronously.
 *
 * Offline grants go too, whatever LOGOUT_OFFLINE_GRANTS says: that setting
 * spares a user's offline access from their own logout, not from a thief.
 */
@Injectable()
export class ReuseSessionRevocation {
  constructor(private readonly grants: GrantRevocations) {}

  /** How many other grants of the session were revoked (0 when the response was revoke_grant). */
  async revokeSessionOf(appended: readonly PendingEvent[]): Promise<number> {
    const detected = appended.find((e) => e.type === RefreshTokenReuseDetected.type) as
      ReturnType<typeof RefreshTokenReuseDetected.create> | undefined;
    const sid = detected?.data.sid;
    if (detected === undefined || detected.data.response !== 'end_session' || sid === undefined)
      return 0;
    return this.grants.revokeGrantsOf({ sid }, 'session_ended', {
      cause: { id: detected.id, correlationId: detected.correlationId },
    });
  }
}
