import { Controller, Get, Post, Req, Res } from '@nestjs/common';
import {
  FormBody,
  formParams,
  type Params,
  parseParams,
  type RawParams,
  RenderErrorsWith,
  StrictQuery,
} from '@idp/nest-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ClientMetadata } from '@idp/contracts';
import { InvalidRequest, OAuthError } from '@idp/oauth-errors';
import { EdgeConfig } from '../http/edge-config';
import { errorPageResponse } from '../interaction/interaction-views';
import { send, type HttpOutcome } from '../http/http-outcome';
import { PushedRequests } from '../par/pushed-requests';
import { validateAuthorizationRequest } from './authorization-request';
import { toAuthorizationError } from './authorization-error';
import { checkClient } from './client-redirect';
import { AuthorizationFlow } from './authorization-flow';
import { errorOutcome } from './authorization-outcome';
import { ClientDirectory } from './client-directory';
import { isPushedRequestUri, RequestObjectResolver } from './request-object';
import type { AuthorizationRequest } from './types';
import { RateLimit } from '../http/rate-limit.guard';

/**
 * The authorization endpoint (RFC 6749 3.1, OIDC Core 3.1.2.1: GET with a
 * query, or POST with a form body). Validation errors before the
 * redirect_uri is trusted are shown on our error page; later ones go back to
 * the client. What the framework refuses before the handler runs (a body
 * over the limit, an unknown content type) also gets the page: a browser is
 * on the other end.
 *
 * A `request_uri` of ours (from POST /par, RFC 9126 4) replaces every other
 * parameter but client_id with the request that was pushed and validated
 * then (RFC 9101 5: only the referenced parameters are used); the request
 * then goes on as any other, through login and consent, carried by the
 * interaction cookie (ADR 0006), so the single-use request_uri is never
 * redeemed twice. Other request_uri values are refused as before.
 */
@Controller('authorize')
@RateLimit('authorize')
export class AuthorizeController {
  constructor(
    private readonly edge: EdgeConfig,
    private readonly clients: ClientDirectory,
    private readonly flow: AuthorizationFlow,
    private readonly pushed: PushedRequests,
    private readonly requestObjects: RequestObjectResolver,
  ) {}

  @Get()
  @StrictQuery()
  @RenderErrorsWith(errorPageResponse)
  async get(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.authorize(() => parseParams((req.query ?? {}) as RawParams), req));
  }

  @Post()
  @FormBody()
  @RenderErrorsWith(errorPageResponse)
  async post(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.authorize(() => formParams(req), req));
  }

  private async authorize(read: () => Params, req: FastifyRequest): Promise<HttpOutcome> {
    let validated: { request: AuthorizationRequest; client: ClientMetadata };
    try {
      validated = await this.validate(read());
    } catch (err) {
      return errorOutcome(err, this.edge.issuer);
    }
    return this.flow.begin(validated.request, validated.client, req.headers.cookie);
  }

  private async validate(
    params: Params,
  ): Promise<{ request: AuthorizationRequest; client: ClientMetadata }> {
    const client = await this.clients.find(params['client_id']);
    const requestUri = params['request_uri'];
    if (requestUri !== undefined && isPushedRequestUri(requestUri)) {
      return this.redeem(params, client, requestUri);
    }
    // RFC 9101: a request object's parameters replace the query's (RequestObjectResolver says which).
    const effective = await this.requestObjects.resolve(params, client);
    const request = validateAuthorizationRequest(effective, client, this.edge.requestOptions);
    // Unreachable: validateAuthorizationRequest refuses an unknown client first (checkClient).
    if (client === undefined) throw new Error('validated a request without a client');
    // RFC 9126 4: where PAR is required, a request that was not pushed is invalid_request.
    // Its redirect_uri passed the exact match, so the client hears about it there.
    if (this.edge.requirePushedRequests || client.require_pushed_authorization_requests) {
      throw toAuthorizationError(
        new InvalidRequest(
          'authorization requests must be pushed to the pushed_authorization_request_endpoint first',
        ),
        request,
      );
    }
    return { request, client };
  }

  /**
   * The pushed request behind `requestUri`, taken for good. Anything wrong
   * (unknown, expired, used, another client's, or a redirect_uri the client
   * no longer has) is shown on our page: no redirect_uri is trusted yet.
   */
  private async redeem(
    params: Params,
    found: ClientMetadata | undefined,
    requestUri: string,
  ): Promise<{ request: AuthorizationRequest; client: ClientMetadata }> {
    const { clientId, client } = checkClient(params, found);
    const request = await this.pushed.redeem(requestUri, clientId);
    if (request === undefined || !client.redirect_uris.includes(request.redirect_uri)) {
      const err = new OAuthError('invalid_request_uri', {
        description: 'the request_uri is unknown, expired, already used, or not for this client',
      });
      err.allowRedirect = false;
      throw err;
    }
    return { request, client };
  }
}
