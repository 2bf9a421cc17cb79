import { Inject, Injectable } from '@nestjs/common';
import type { Clock, SessionView } from '@idp/contracts';
import { CLOCK, type Params } from '@idp/nest-kit';
import { SsoSessions } from '../authorize/sso-sessions';
import { ClientDirectory } from '../authorize/client-directory';
import { JwksCache } from '../discovery/jwks-cache';
import { EdgeConfig } from '../http/edge-config';
import { seeOther, withCookies, type HttpOutcome } from '../http/http-outcome';
import { issueCsrf, verifyCsrf } from '../interaction/csrf';
import { frontChannelFrames } from './front-channel';
import { verifyIdTokenHint, type HintKeys, type IdTokenHint } from './id-token-hint';
import { LOGOUT_FORM_FIELDS } from './logout-pages';
import { validateLogoutRequest, type LogoutRequest } from './logout-request';
import { confirmView, loggedOutView, logoutErrorResponse, stillSignedInView } from './logout-views';
import { SessionTermination, type EndedSession } from './session-termination';

/** The confirmation form's CSRF token is bound to the session it would end. */
const csrfSubject = (sid: string): string => `logout:${sid}`;

/** A hint names the browser's session when its sid (or, without one, its sub) is the session's. */
function tiedTo(hint: IdTokenHint | undefined, session: SessionView): boolean {
  if (hint === undefined) return false;
  return hint.sid !== undefined ? hint.sid === session.sid : hint.sub === session.sub;
}

/**
 * RP-Initiated Logout 1.0 at /logout, with Front-Channel Logout 1.0 on the
 * page that follows:
 * - validate (logout-request.ts): a bad request is our error page, never a redirect;
 * - no session cookie: nothing to end, the user is logged out already;
 * - a live session the request is not tied to (no hint, or a hint of another
 *   session or user): ask first; only the confirmed, CSRF-checked POST ends it;
 * - end the session and its tokens (SessionTermination), clear the cookie,
 *   then 303 to the registered post_logout_redirect_uri (+state) or our page;
 *   when clients registered front-channel logout URIs, the page renders them
 *   in iframes first and then moves on to the redirect.
 */
@Injectable()
export class LogoutFlow {
  constructor(
    private readonly edge: EdgeConfig,
    private readonly sessions: SsoSessions,
    private readonly clients: ClientDirectory,
    private readonly jwks: JwksCache,
    private readonly termination: SessionTermination,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** `confirming`: a POST from our confirmation page (it carries the CSRF field). */
  async handle(
    params: Params,
    cookieHeader: string | undefined,
    confirming: boolean,
  ): Promise<HttpOutcome> {
    let request: LogoutRequest;
    try {
      request = await this.validate(params);
    } catch (err) {
      return logoutErrorResponse(err);
    }
    const sid = this.sessions.sidOf(cookieHeader);
    if (sid === undefined) return this.respond(request, null);
    if (confirming) return this.answer(request, sid, params);
    const session = await this.sessions.current(cookieHeader);
    if (session !== undefined && !tiedTo(request.hint, session))
      return this.confirmation(request, sid);
    return this.end(request, sid);
  }

  private async answer(request: LogoutRequest, sid: string, params: Params): Promise<HttpOutcome> {
    if (!verifyCsrf(this.edge.csrfKey, csrfSubject(sid), params[LOGOUT_FORM_FIELDS.csrf])) {
      // A cross-site POST, or a form from before a new sign-in: ask again, end nothing.
      return this.confirmation(request, sid, 403);
    }
    const decision = params[LOGOUT_FORM_FIELDS.decision];
    if (decision === 'stay') return stillSignedInView();
    if (decision !== 'logout') return this.confirmation(request, sid, 400);
    return this.end(request, sid);
  }

  private confirmation(request: LogoutRequest, sid: string, status = 200): HttpOutcome {
    return confirmView(
      {
        issuer: this.edge.issuer,
        action: this.edge.url('/logout'),
        csrf: issueCsrf(this.edge.csrfKey, csrfSubject(sid)),
        params: request.params,
        ...(request.client
          ? { clientName: request.client.client_name ?? request.client.client_id }
          : {}),
      },
      status,
    );
  }

  private async end(request: LogoutRequest, sid: string): Promise<HttpOutcome> {
    const ended = await this.termination.end(sid, 'rp_logout', request.client?.client_id);
    return withCookies(await this.respond(request, ended), this.sessions.clearCookie());
  }

  private async respond(request: LogoutRequest, ended: EndedSession | null): Promise<HttpOutcome> {
    const front = ended === null ? { frames: [], origins: [] } : await this.frames(ended);
    if (request.redirect !== undefined && front.frames.length === 0)
      return seeOther(request.redirect);
    return loggedOutView(front, request.redirect);
  }

  /** Front-channel logout URIs of the session's clients; a client that cannot be read is skipped. */
  private async frames(ended: EndedSession) {
    const found = await Promise.all(
      ended.clientIds.map((id) => this.clients.find(id).catch(() => undefined)),
    );
    return frontChannelFrames(
      this.edge.issuer,
      ended.sid,
      found.filter((c) => c !== undefined),
    );
  }

  private validate(params: Params): Promise<LogoutRequest> {
    return validateLogoutRequest(params, {
      verifyHint: async (token) =>
        verifyIdTokenHint(token, {
          jwks: (await this.jwks.get()).keys as unknown as HintKeys,
          issuer: this.edge.issuer,
          now: this.clock.nowSeconds(),
        }),
      findClient: (clientId) => this.clients.find(clientId),
    });
  }
}
