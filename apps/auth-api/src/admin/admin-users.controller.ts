import {
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Param,
  Post,
  Put,
  Req,
  UseGuards,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { adminUserBody, adminUserChanges, type Actor, type UserView } from '@idp/contracts';
import { LoginThrottle } from '../interaction/login-throttle';
import { SessionTermination } from '../logout/session-termination';
import { jsonObjectBody } from '../registration/json-body';
import { AdminCaller, AdminAuthGuard } from './admin-auth.guard';
import { AdminRpcAccess, parseBody } from './admin-rpc';

/**
 * Operators' user management. Passwords go in, never out: token-service
 * hashes them (scrypt) and no response carries the hash. Unknown body
 * fields are refused, so a typo (or a `passwordHash`) is not silently lost.
 */
@Controller('admin/users')
@UseGuards(AdminAuthGuard)
export class AdminUsersController {
  constructor(
    private readonly admin: AdminRpcAccess,
    private readonly termination: SessionTermination,
    private readonly throttle: LoginThrottle,
  ) {}

  /** 201; 409 when the username or the sub is taken. `sub` is generated when absent. */
  @Post()
  @HttpCode(201)
  @Header('Cache-Control', 'no-store')
  create(@Req() request: FastifyRequest, @AdminCaller() actor: Actor): Promise<UserView> {
    return this.admin.rpc.createUser({
      ...parseBody(adminUserBody, jsonObjectBody(request)),
      actor,
    });
  }

  @Get(':sub')
  @Header('Cache-Control', 'no-store')
  read(@Param('sub') sub: string): Promise<UserView> {
    return this.admin.rpc.readUser({ sub });
  }

  /** `claims` replaces the whole claim set; `password` sets a new one; absent fields stay. */
  @Put(':sub')
  @Header('Cache-Control', 'no-store')
  update(
    @Param('sub') sub: string,
    @Req() request: FastifyRequest,
    @AdminCaller() actor: Actor,
  ): Promise<UserView> {
    const changes = parseBody(adminUserChanges, jsonObjectBody(request));
    return this.admin.rpc.updateUser({ sub, changes, actor });
  }

  /** Also revokes all the user's tokens before answering. */
  @Delete(':sub')
  @HttpCode(204)
  async remove(@Param('sub') sub: string, @AdminCaller() actor: Actor): Promise<void> {
    await this.admin.rpc.deleteUser({ sub, actor });
  }

  /**
   * Logs the user out everywhere: every live session ends (reason
   * user_logout_all, back-channel logout to their clients) and the sessions'
   * grants are revoked before this answers. 0 when there was none.
   */
  @Post(':sub/end-sessions')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async endSessions(
    @Param('sub') sub: string,
    @AdminCaller() actor: Actor,
  ): Promise<{ ended_sessions: number }> {
    const ended = await this.termination.endAllOf(sub, 'user_logout_all', actor);
    return { ended_sessions: ended.length };
  }

  /**
   * Lifts the user's sign-in lock and forgets its failed sign-ins (ADR 0016):
   * `login.unlocked` is recorded when a lock was running. 200
   * `{"unlocked": true|false}` (false: there was no lock); 404 unknown user.
   */
  @Post(':sub/unlock')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async unlock(
    @Param('sub') sub: string,
    @AdminCaller() actor: Actor,
  ): Promise<{ unlocked: boolean }> {
    const { key, recorded } = await this.admin.rpc.unlockUser({ sub, actor });
    const wasLocked = await this.throttle.clearUser(key);
    return { unlocked: wasLocked || recorded };
  }

  /** Revokes every grant of the user (tokens refused and inactive once this answers). */
  @Post(':sub/revoke-tokens')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  revokeTokens(
    @Param('sub') sub: string,
    @AdminCaller() actor: Actor,
  ): Promise<{ revoked_grants: number }> {
    return this.admin.rpc.revokeUserTokens({ sub, actor });
  }
}
