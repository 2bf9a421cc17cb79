import { Controller, Header, HttpCode, Inject, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { clientCredentials, FormBody, formParams } from '@idp/nest-kit';
import { clientMetadata, TOKEN_RPC, type TokenRpcClient } from '@idp/contracts';
import { InvalidRequest, ServerError } from '@idp/oauth-errors';
import { validateAuthorizationRequest } from '../authorize/authorization-request';
import { RequestObjectResolver } from '../authorize/request-object';
import { ClientRateLimit } from '../http/client-rate-limit';
import { EdgeConfig } from '../http/edge-config';
import { RateLimit } from '../http/rate-limit.guard';
import { PAR_PATH } from './par-path';
import { PushedRequests } from './pushed-requests';

/** RFC 7523 assertions may carry an x5c chain: more room than other parameters (as at /token). */
const LONG_PARAMS = { client_assertion: 8192 };

/**
 * The pushed authorization request endpoint (RFC 9126 2). The form and the
 * client's credentials are read exactly as at /token (body only, one
 * method, no repeated parameter) and token-service authenticates the client
 * with every method /token accepts; the parameters then go through
 * `validateAuthorizationRequest`, the function /authorize validates with,
 * against that client, after a pushed request object (RFC 9126 3, RFC 9101)
 * has been turned into its parameters as /authorize does. Every error is a JSON body (RFC 9126 2.3), never a
 * redirect: there is no browser here. The answer is 201 with the
 * request_uri the client sends the browser to /authorize with.
 *
 * Rate-limited with /authorize's setting (RATE_LIMIT_AUTHORIZE), per IP and
 * per authenticated client: a push is the first half of an authorization request.
 */
@Controller()
@RateLimit('authorize')
export class ParController {
  constructor(
    private readonly edge: EdgeConfig,
    private readonly clientLimit: ClientRateLimit,
    private readonly pushed: PushedRequests,
    private readonly requestObjects: RequestObjectResolver,
    @Inject(TOKEN_RPC) private readonly tokens: Pick<TokenRpcClient, 'authenticatePushingClient'>,
  ) {}

  @Post(PAR_PATH.slice(1))
  @FormBody({ refuseQuery: true })
  @HttpCode(201)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  async push(@Req() request: FastifyRequest): Promise<{ request_uri: string; expires_in: number }> {
    const form = formParams(request, LONG_PARAMS);
    const { clientAuth, params } = clientCredentials(request.headers.authorization, form);
    // RFC 9126 2.1: "The request_uri authorization request parameter ... MUST NOT be provided."
    if (form['request_uri'] !== undefined) {
      throw new InvalidRequest(
        'request_uri must not be sent to the pushed authorization request endpoint',
      );
    }
    const { client: raw } = await this.clientLimit.around('authorize', clientAuth, () =>
      this.tokens.authenticatePushingClient({
        clientAuth,
        // RFC 9126 2: an assertion may name the PAR or the token endpoint (or the issuer).
        endpoints: [this.edge.url(PAR_PATH), this.edge.url('/token')],
      }),
    );
    const parsed = clientMetadata.safeParse(raw);
    if (!parsed.success) throw new ServerError(new Error('invalid client metadata'));
    const client = parsed.data;
    // RFC 9126 2.1: client_id is required here as at /authorize; clientCredentials already
    // refused one that differs from the Basic user name, and token-service one that differs
    // from the assertion's subject. Whatever the method, the request is the authenticated client's.
    const clientId = form['client_id'];
    if (clientId !== undefined && clientId !== client.client_id) {
      throw new InvalidRequest('client_id does not match the authenticated client');
    }
    // The authorization parameters alone: credentials are only for authentication (RFC 9126 2.1).
    // RFC 9126 3: a request object may be pushed too; its parameters replace the form's
    // exactly as at /authorize (RequestObjectResolver), and its errors are JSON here as any other.
    const effective = await this.requestObjects.resolve(
      { ...params, client_id: client.client_id },
      client,
    );
    const validated = validateAuthorizationRequest(effective, client, this.edge.requestOptions);
    const { requestUri, expiresIn } = await this.pushed.push(validated);
    return { request_uri: requestUri, expires_in: expiresIn };
  }
}
