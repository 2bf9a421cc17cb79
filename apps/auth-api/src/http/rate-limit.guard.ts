import {
  applyDecorators,
  type CanActivate,
  type ExecutionContext,
  Injectable,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { EndpointRateLimits, type RateLimitedEndpoint } from '@idp/nest-kit';

const ENDPOINT = Symbol('rate-limited endpoint');

/**
 * Checks the per-IP limit of an endpoint (ADR 0016) before anything else
 * runs: the 429 goes through the route's error rendering (JSON, or the
 * error page on browser routes), with Retry-After.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limits: EndpointRateLimits,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const endpoint = this.reflector.getAllAndOverride<RateLimitedEndpoint | undefined>(ENDPOINT, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (endpoint === undefined) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const ip = this.limits.ipOf(request.socket.remoteAddress, request.headers['x-forwarded-for']);
    this.limits.check(endpoint, 'ip', ip);
    return true;
  }
}

/** Puts a controller's routes under an endpoint's per-IP rate limit. */
export const RateLimit = (endpoint: RateLimitedEndpoint) =>
  applyDecorators(SetMetadata(ENDPOINT, endpoint), UseGuards(RateLimitGuard));
