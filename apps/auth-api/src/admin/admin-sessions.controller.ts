import { Controller, Header, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { AdminRpcAccess } from './admin-rpc';
import { AdminTokenGuard } from './admin-token.guard';

/**
 * Operators' view of SSO sessions, as far as tokens go. Sessions live in
 * session-service; token-service finds the grants issued under a sid, so an
 * unknown sid is not a 404: it simply has no grants.
 */
@Controller('admin/sessions')
@UseGuards(AdminTokenGuard)
export class AdminSessionsController {
  constructor(private readonly admin: AdminRpcAccess) {}

  /** Revokes every grant issued under the session; the session itself stays (logout ends it). */
  @Post(':sid/revoke-tokens')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  revokeTokens(@Param('sid') sid: string): Promise<{ revoked_grants: number }> {
    return this.admin.rpc.revokeSessionTokens({ sid });
  }
}
