import { Controller, Header, HttpCode, Inject, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { TokenResponse } from '@idp/contracts';
import { clientCredentials, FormBody, formParams } from '@idp/nest-kit';
import { TOKEN_RPC, type TokenRpcClient } from '@idp/contracts';
import { ClientRateLimit } from '../http/client-rate-limit';
import { EdgeConfig } from '../http/edge-config';
import { RateLimit } from '../http/rate-limit.guard';

/** RFC 7523 assertions may carry an x5c chain: more room than other parameters. */
const LONG_PARAMS = { client_assertion: 8192 };

/**
 * The token endpoint (RFC 6749 3.2, 5): parse the form, split off the
 * client's credentials, and let token-service do the rest (client
 * authentication, every grant, every error). Its OAuthErrors already carry
 * the status and the WWW-Authenticate challenge; they propagate to the
 * OAuthExceptionFilter untouched.
 */
@Controller()
@RateLimit('token')
export class TokenController {
  constructor(
    private readonly edge: EdgeConfig,
    private readonly clientLimit: ClientRateLimit,
    @Inject(TOKEN_RPC) private readonly tokens: TokenRpcClient,
  ) {}

  /** RFC 6749 5.1: no-store and no-cache on every response that carries tokens. */
  @Post('token')
  @FormBody({ refuseQuery: true })
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  token(@Req() request: FastifyRequest): Promise<TokenResponse> {
    const { clientAuth, params } = clientCredentials(
      request.headers.authorization,
      formParams(request, LONG_PARAMS),
    );
    // The token endpoint URL is the audience of private_key_jwt assertions (RFC 7523 3).
    return this.clientLimit.around('token', clientAuth, () =>
      this.tokens.token({ params, clientAuth, endpoint: this.edge.url('/token') }),
    );
  }
}
