import { Inject, Injectable } from '@nestjs/common';
import type { SessionView } from '@idp/contracts';
import { acrOfSession } from '@idp/domain';
import { clearCookie, readCookie, serializeCookie } from '../http/cookies';
import { EdgeConfig } from '../http/edge-config';
import { SESSION_COOKIE, signSessionId, verifySessionId } from '../http/session-cookie';
import { SessionTermination } from '../logout/session-termination';
import { SESSION_RPC, type SessionRpcClient } from '@idp/contracts';

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
    private readonly termination: SessionTermination,
  ) {}

  /** The sid of the browser's cookie (MAC checked), whether or not the session is still live. */
  sidOf(cookieHeader: string | undefined): string | undefined {
    return verifySessionId(this.edge.sessionCookieKey, readCookie(cookieHeader, SESSION_COOKIE));
  }

  /**
   * The browser's live session. `touch`: this request uses it (/authorize
   * reusing it), so session-service extends its idle lifetime.
   */
  async current(
    cookieHeader: string | undefined,
    options: { touch?: boolean } = {},
  ): Promise<SessionView | undefined> {
    const sid = this.sidOf(cookieHeader);
    if (sid === undefined) return undefined;
    const { session } = await this.sessions.getSession({
      sid,
      ...(options.touch ? { touch: true } : {}),
    });
    return session ?? undefined;
  }

  /** The Set-Cookie that removes the session cookie (logout). */
  clearCookie(): string {
    return clearCookie(SESSION_COOKIE, {
      path: this.edge.cookiePath('/'),
      secure: this.edge.secureCookies,
    });
  }

  /**
   * Starts a session after a login and returns the Set-Cookie that holds it.
   * A live session of another user in this browser ends first (reason
   * login_replaced, with its tokens): its cookie is about to be overwritten,
   * and it must not live on unseen with tokens its user can no longer end.
   */
  async start(
    sub: string,
    amr: string[],
    now: number,
    cookieHeader?: string,
  ): Promise<{ session: SessionView; cookie: string }> {
    const previous = await this.current(cookieHeader);
    if (previous !== undefined && previous.sub !== sub) {
      await this.termination.end(previous.sid, 'login_replaced');
    }
    // The class of authentication (OIDC Core 2 `acr`) follows from how the user signed in.
    const acr = acrOfSession({ amr });
    const session = await this.sessions.startSession({ sub, amr, ...(acr ? { acr } : {}) });
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
