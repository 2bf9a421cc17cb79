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
import { EdgeConfig } from '../http/edge-config';
import { errorPageResponse } from '../interaction/interaction-views';
import { send, type HttpOutcome } from '../http/http-outcome';
import { validateAuthorizationRequest } from './authorization-request';
import { AuthorizationFlow } from './authorization-flow';
import { errorOutcome } from './authorization-outcome';
import { ClientDirectory } from './client-directory';
import { RequestObjectResolver } from './request-object';
import type { AuthorizationRequest } from './types';
import { RateLimit } from '../http/rate-limit.guard';

/**
 * The authorization endpoint (RFC 6749 3.1, OIDC Core 3.1.2.1: GET with a
 * query, or POST with a form body). Validation errors before the
 * redirect_uri is trusted are shown on our error page; later ones go back to
 * the client. What the framework refuses before the handler runs (a body
 * over the limit, an unknown content type) also gets the page: a browser is
 * on the other end.
 */
@Controller('authorize')
@RateLimit('authorize')
export class AuthorizeController {
  constructor(
    private readonly edge: EdgeConfig,
    private readonly clients: ClientDirectory,
    private readonly flow: AuthorizationFlow,
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
    // RFC 9101: a request object's parameters replace the query's (RequestObjectResolver says which).
    const effective = await this.requestObjects.resolve(params, client);
    const request = validateAuthorizationRequest(effective, client, this.edge.requestOptions);
    // Unreachable: validateAuthorizationRequest refuses an unknown client first (checkClient).
    if (client === undefined) throw new Error('validated a request without a client');
    return { request, client };
  }
}
