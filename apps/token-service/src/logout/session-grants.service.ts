import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '@idp/config';
import type { Grant } from '@idp/domain';
import { GrantRevocations, type EventCause } from '../revocation/grant-revocations.service';

/**
 * Whether a grant outlives the end of its SSO session under
 * LOGOUT_OFFLINE_GRANTS=keep: only one whose refresh token was issued with
 * offline_access (OIDC Core 11). An unredeemed code is not offline access
 * yet: it was issued to a session that no longer exists, so it goes.
 */
export function survivesLogout(grant: Grant): boolean {
  return grant.status === 'active' && grant.offline;
}

/**
 * What the end of an SSO session does to its tokens: every grant issued
 * under the sid is revoked (reason session_ended), except offline_access
 * grants when LOGOUT_OFFLINE_GRANTS is `keep`. Called by auth-api right
 * after a logout (so the response is sent only once the tokens are
 * inactive) and by the session.ended consumer (the guarantee when auth-api
 * died in between); both are idempotent.
 */
@Injectable()
export class SessionGrants {
  private readonly keepOffline: boolean;

  constructor(
    private readonly grants: GrantRevocations,
    @Inject(CONFIG) config: Config,
  ) {
    this.keepOffline = config.LOGOUT_OFFLINE_GRANTS === 'keep';
  }

  /**
   * How many grants this call revoked. `ended`: the event that ended the
   * session, when known: the revocations name it as their cause, and a
   * session ended by refresh-token reuse spares nothing (ADR 0038: a thief
   * is not the user logging out).
   */
  revokeEnded(
    sid: string,
    ended?: EventCause & { readonly reason?: string | undefined },
  ): Promise<number> {
    const spare = this.keepOffline && ended?.reason !== 'refresh_token_reuse';
    return this.grants.revokeGrantsOf({ sid }, 'session_ended', {
      ...(spare ? { spare: survivesLogout } : {}),
      ...(ended === undefined
        ? {}
        : { cause: { id: ended.id, correlationId: ended.correlationId } }),
    });
  }
}
