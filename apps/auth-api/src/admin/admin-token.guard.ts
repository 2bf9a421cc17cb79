import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { CONFIG, type Config } from '@idp/config';
import { OAuthError } from '@idp/oauth-errors';
import { StaticBearer } from '../registration/static-bearer';

/**
 * The admin API's only gate: `Authorization: Bearer <ADMIN_TOKEN>`. Without
 * ADMIN_TOKEN the whole API is off and answers 404, as if it did not exist.
 * Admin calls are not browser requests (no cookies are read), so CSRF does
 * not apply; the token should only travel over TLS to an internal listener.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly token: StaticBearer;

  constructor(@Inject(CONFIG) config: Config) {
    this.token = new StaticBearer(config.ADMIN_TOKEN);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.token.enabled)
      throw new OAuthError('invalid_request', {
        status: 404,
        description: 'the admin API is not enabled on this server',
      });
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    this.token.verify(request.headers.authorization, 'a valid admin token is required');
    return true;
  }
}
