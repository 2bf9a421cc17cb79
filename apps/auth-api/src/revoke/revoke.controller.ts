import { Controller, Header, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BODY_ONLY_FORM, clientCredentials, FormBody, formParams } from '@idp/nest-kit';
import { TOKEN_RPC, type TokenRpcClient } from '@idp/contracts';
import { InvalidRequest } from '@idp/oauth-errors';
import { ClientRateLimit } from '../http/client-rate-limit';
import { EdgeConfig } from '../http/edge-config';
import { RateLimit } from '../http/rate-limit.guard';

/** A JWT access token, or an RFC 7523 assertion with an x5c chain, is longer than other parameters. */
const LONG_PARAMS = { token: 16_384, client_assertion: 8192 };
const KNOWN_HINTS: ReadonlySet<string> = new Set(['access_token', 'refresh_token']);

/**
 * RFC 7009 token revocation. The form and the client's credentials are
 * parsed exactly as at /token (Basic or body, one method only, no repeated
 * parameters); token-service authenticates the client, checks ownership,
 * revokes, and writes the read model's tombstones before it answers, so
 * the 200 means "no longer active anywhere". Errors are RFC 6749 5.2
 * bodies (2.2.1), rendered by the OAuthExceptionFilter.
 */
@Controller()
@RateLimit('revoke')
export class RevokeController {
  constructor(
    private readonly edge: EdgeConfig,
    private readonly clientLimit: ClientRateLimit,
    @Inject(TOKEN_RPC) private readonly tokens: TokenRpcClient,
  ) {}

  @Post('revoke')
  @FormBody(BODY_ONLY_FORM)
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  async revoke(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const { clientAuth, params } = clientCredentials(
      request.headers.authorization,
      formParams(request, LONG_PARAMS),
    );
    const token = params.token;
    if (token === undefined) throw new InvalidRequest('token is required');
    // RFC 7009 2.1: a hint we do not know is ignored, not an error.
    const hint = params.token_type_hint;
    await this.clientLimit.around('revoke', clientAuth, () =>
      this.tokens.revoke({
        token,
        ...(hint !== undefined && KNOWN_HINTS.has(hint) ? { tokenTypeHint: hint } : {}),
        clientAuth,
        // The audience of private_key_jwt assertions (RFC 7523 3).
        endpoint: this.edge.url('/revoke'),
      }),
    );
    // RFC 7009 2.2: "The content of the response body is ignored by the client": send none.
    void reply.removeHeader('content-type');
    return '';
  }
}
