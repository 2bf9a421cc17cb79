import { Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FormBody, formParams, isForm, RenderErrorsWith, StrictQuery } from '@idp/nest-kit';
import { TOKEN_RPC, type TokenRpcClient } from '@idp/contracts';
import type { RawParams } from '@idp/nest-kit';
import { bearerErrorResponse, bearerToken, MAX_ACCESS_TOKEN_LENGTH } from '../http/bearer-token';
import { RateLimit } from '../http/rate-limit.guard';

/**
 * The UserInfo endpoint (OIDC Core 5.3): GET or POST, the access token as a
 * Bearer token (RFC 6750). token-service decides everything else: which
 * tokens are accepted (every access token we issue, never an ID token), the
 * claims, and whether the client asked for a signed response. Its errors
 * (invalid_token 401, insufficient_scope 403) carry their challenges.
 */
@Controller('userinfo')
@RateLimit('userinfo')
export class UserinfoController {
  constructor(@Inject(TOKEN_RPC) private readonly tokens: TokenRpcClient) {}

  @Get()
  @StrictQuery()
  @RenderErrorsWith(bearerErrorResponse)
  get(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return this.answer(
      bearerToken({ authorization: request.headers.authorization, query: queryOf(request) }),
      reply,
    );
  }

  /** RFC 6750 2.2: the form-encoded body method, for POST only. */
  @Post()
  @FormBody({ bodyOptional: true })
  @HttpCode(200)
  @RenderErrorsWith(bearerErrorResponse)
  post(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const form = isForm(request)
      ? formParams(request, { access_token: MAX_ACCESS_TOKEN_LENGTH })
      : undefined;
    return this.answer(
      bearerToken({ authorization: request.headers.authorization, query: queryOf(request), form }),
      reply,
    );
  }

  /** OIDC Core 5.3.2: JSON claims, or a signed JWT as application/jwt. Never cached. */
  private async answer(accessToken: string, reply: FastifyReply): Promise<unknown> {
    const result = await this.tokens.userinfo({ accessToken });
    reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
    if (result.format === 'jwt') {
      reply.type('application/jwt');
      return result.jwt;
    }
    return result.claims;
  }
}

function queryOf(request: FastifyRequest): RawParams {
  return (request.query ?? {}) as RawParams;
}
