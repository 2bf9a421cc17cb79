import { Controller, Get, Header, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import type { Actor, SessionView } from '@idp/contracts';
import { OAuthError } from '@idp/oauth-errors';
import { SessionTermination } from '../logout/session-termination';
import { AdminCaller, AdminAuthGuard } from './admin-auth.guard';
import { AdminRpcAccess } from './admin-rpc';
import { SESSION_RPC, type SessionRpcClient } from '@idp/contracts';

/** session-service's limit for a sid: a longer one cannot name a session. */
const MAX_SID = 200;

/**
 * Operators' view of SSO sessions. Sessions live in session-service;
 * token-service finds the grants issued under a sid, so an unknown sid is not
 * a 404 for revoke-tokens or end: it simply has no grants (or no session).
 */
@Controller('admin/sessions')
@UseGuards(AdminAuthGuard)
export class AdminSessionsController {
  constructor(
    private readonly admin: AdminRpcAccess,
    private readonly termination: SessionTermination,
    @Inject(SESSION_RPC) private readonly sessions: SessionRpcClient,
  ) {}

  /** The live session (its clients, expiries); 404 when unknown, ended or expired. */
  @Get(':sid')
  @Header('Cache-Control', 'no-store')
  async read(@Param('sid') sid: string): Promise<SessionView> {
    const { session } =
      sid.length > MAX_SID ? { session: null } : await this.sessions.getSession({ sid });
    if (session === null)
      throw new OAuthError('invalid_request', { status: 404, description: 'no such live session' });
    return session;
  }

  /**
   * Ends the session as logout does (reason admin): session.ended (so every
   * client gets its back-channel logout) and its grants revoked before this
   * answers. `ended` is false when it was unknown or had ended already.
   */
  @Post(':sid/end')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async end(@Param('sid') sid: string, @AdminCaller() actor: Actor): Promise<{ ended: boolean }> {
    if (sid.length > MAX_SID) return { ended: false };
    return { ended: (await this.termination.end(sid, 'admin', undefined, actor)) !== null };
  }

  /** Revokes every grant issued under the session; the session itself stays (logout ends it). */
  @Post(':sid/revoke-tokens')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  revokeTokens(
    @Param('sid') sid: string,
    @AdminCaller() actor: Actor,
  ): Promise<{ revoked_grants: number }> {
    return this.admin.rpc.revokeSessionTokens({ sid, actor });
  }
}
