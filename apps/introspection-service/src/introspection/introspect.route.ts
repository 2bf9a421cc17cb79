import { Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { clientCredentials, formParams, TOKEN_RPC, type TokenRpcClient } from '@idp/nest-kit';
import { InvalidRequest } from '@idp/oauth-errors';
import { CallerAuthenticator } from './caller-authenticator';
import { IntrospectionConfig } from './introspection-config';
import { introspectionResponse } from './introspection-response';
import { TokenIntrospector } from './token-introspector';

type SignRequest = Parameters<TokenRpcClient['signIntrospectionResponse']>[0];

/** RFC 9701 4: the media type of a signed introspection response. */
export const INTROSPECTION_JWT = 'application/token-introspection+jwt';

/** The longest token token-service accepts for introspection; client assertions as at /token. */
const LONG_PARAMS = { token: 16_384, client_assertion: 8192 };

/**
 * POST /introspect (RFC 7662): a form with `token` and an optional
 * `token_type_hint`, from an authenticated client. The hint is accepted and
 * not needed: every token we issue says by its shape where it is looked up.
 * Answers JSON, or a JWT signed by token-service when the caller asks for
 * RFC 9701's media type.
 */
@Controller()
export class IntrospectController {
  constructor(
    private readonly config: IntrospectionConfig,
    private readonly callers: CallerAuthenticator,
    private readonly introspector: TokenIntrospector,
    @Inject(TOKEN_RPC) private readonly tokens: Pick<TokenRpcClient, 'signIntrospectionResponse'>,
  ) {}

  @Post('introspect')
  @HttpCode(200)
  async introspect(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const { clientAuth, params } = clientCredentials(
      request.headers.authorization,
      formParams(request, LONG_PARAMS),
    );
    const token = params['token'];
    if (token === undefined) throw new InvalidRequest('token is required');
    const callerId = await this.callers.authenticate(clientAuth);
    const record = await this.introspector.record(token);
    const response = introspectionResponse(record, {
      callerId,
      issuer: this.config.issuer,
      now: Math.floor(Date.now() / 1000),
    });
    reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
    if (!wantsJwt(request.headers.accept)) return response;
    const { jwt } = await this.tokens.signIntrospectionResponse({
      audience: callerId,
      // Built from the decoded JSON record: JSON all the way down.
      claims: response as SignRequest['claims'],
    });
    reply.header('Content-Type', INTROSPECTION_JWT);
    return jwt;
  }
}

/** Whether Accept names the RFC 9701 media type (with a non-zero q). */
export function wantsJwt(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  return accept.split(',').some((range) => {
    const [type, ...parameters] = range.split(';').map((p) => p.trim().toLowerCase());
    if (type !== INTROSPECTION_JWT) return false;
    const q = parameters.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}
