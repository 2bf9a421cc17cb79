import { Inject, Injectable } from '@nestjs/common';
import type { SessionView } from '@idp/contracts';
import { SESSION_RPC, type SessionRpcClient } from '@idp/nest-kit';
import { readCookie, serializeCookie } from '../http/cookies';
import { EdgeConfig } from '../http/edge-config';
import { SESSION_COOKIE, signSessionId, verifySessionId } from '../http/session-cookie';

/**
 * The browser's SSO session: a signed sid cookie at our path, resolved by
 * session-service, which alone decides whether the session is still live
 * (ended, idle or absolute expiry all come back as null).
 */
@Injectable()
export class SsoSessions {
  constructor(
    private readonly edge: EdgeConfig,
    @Inject(SESSION_RPC) private readonly sessions: SessionRpcClient,
  ) {}

  async current(cookieHeader: string | undefined): Promise<SessionView | undefined> {
    const sid = verifySessionId(
      this.edge.sessionCookieKey,
      readCookie(cookieHeader, SESSION_COOKIE),
    );
    if (sid === undefined) return undefined;
    const { session } = await this.sessions.getSession({ sid });
    return session ?? undefined;
  }

  /** Starts a session after a login and returns the Set-Cookie that holds it. */
  async start(
    sub: string,
    amr: string[],
    now: number,
  ): Promise<{ session: SessionView; cookie: string }> {
    const session = await this.sessions.startSession({ sub, amr });
    const cookie = serializeCookie(
      SESSION_COOKIE,
      signSessionId(this.edge.sessionCookieKey, session.sid),
      {
        path: this.edge.cookiePath('/'),
        // The browser may drop it at the absolute expiry; session-service enforces both limits anyway.
        maxAge: Math.max(0, session.absoluteExpiresAt - now),
        secure: this.edge.secureCookies,
      },
    );
    return { session, cookie };
  }
}
