import { Inject, Injectable } from '@nestjs/common';
import type { Actor } from '@idp/contracts';
import { SESSION_RPC, TOKEN_RPC, type SessionRpcClient, type TokenRpcClient } from '@idp/contracts';

export type EndedSession = NonNullable<
  Awaited<ReturnType<SessionRpcClient['endSession']>>['ended']
>;
export type SessionEndReason = Parameters<SessionRpcClient['endSession']>[0]['reason'];

/** Sessions ended at once by "end every session of a user": their grant revocations run this many at a time. */
const CONCURRENCY = 4;

/**
 * Ends SSO sessions with all their effects that a response must wait for:
 * the session.ended event (session-service; back-channel logout follows from
 * it), then the session's grants revoked with their tombstones written
 * (token-service), so no introspection replica and no /userinfo call
 * answers active once the caller responds (guarantee 2). token-service also
 * revokes them on the event, which covers a crash between the two calls.
 */
@Injectable()
export class SessionTermination {
  constructor(
    @Inject(SESSION_RPC) private readonly sessions: SessionRpcClient,
    @Inject(TOKEN_RPC) private readonly tokens: TokenRpcClient,
  ) {}

  /**
   * The session that ended, or null when it was unknown or had already
   * ended. The grants are revoked either way: a retry after a failure in
   * between must still complete the logout. `actor`: the admin API's caller,
   * named on the events (ADR 0017).
   */
  async end(
    sid: string,
    reason: SessionEndReason,
    initiatedBy?: string,
    actor?: Actor,
  ): Promise<EndedSession | null> {
    const by = actor === undefined ? {} : { actor };
    const { ended } = await this.sessions.endSession({
      sid,
      reason,
      ...(initiatedBy === undefined ? {} : { initiatedBy }),
      ...by,
    });
    await this.tokens.endSessionGrants({ sid, ...by });
    return ended;
  }

  /** Every live session of the user ("log out everywhere"). */
  async endAllOf(sub: string, reason: SessionEndReason, actor?: Actor): Promise<EndedSession[]> {
    const by = actor === undefined ? {} : { actor };
    const { ended } = await this.sessions.endSessionsOfUser({ sub, reason, ...by });
    for (let i = 0; i < ended.length; i += CONCURRENCY) {
      await Promise.all(
        ended
          .slice(i, i + CONCURRENCY)
          .map((s) => this.tokens.endSessionGrants({ sid: s.sid, ...by })),
      );
    }
    return ended;
  }
}
