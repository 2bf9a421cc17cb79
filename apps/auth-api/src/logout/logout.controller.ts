import { Controller, Get, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  FormBody,
  formParams,
  parseParams,
  type RawParams,
  RenderErrorsWith,
  StrictQuery,
} from '@idp/nest-kit';
import { send } from '../http/http-outcome';
import { LogoutFlow } from './logout-flow';
import { LOGOUT_FORM_FIELDS } from './logout-pages';
import { logoutErrorResponse } from './logout-views';

/**
 * The end_session_endpoint (OIDC RP-Initiated Logout 1.0 section 2: GET with
 * a query, or POST with a form body). A browser is on the other end, so
 * every error, including what the framework refuses before the handler
 * (unknown content type, a body over the limit), is an HTML page.
 */
@Controller('logout')
export class LogoutController {
  constructor(private readonly flow: LogoutFlow) {}

  @Get()
  @StrictQuery()
  @RenderErrorsWith(logoutErrorResponse)
  async get(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const params = parseParams((req.query ?? {}) as RawParams);
    send(reply, await this.flow.handle(params, req.headers.cookie, false));
  }

  /** A form POST from an RP, or the answer from our confirmation page (it carries `csrf`). */
  @Post()
  @FormBody()
  @RenderErrorsWith(logoutErrorResponse)
  async post(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const params = formParams(req);
    const confirming = params[LOGOUT_FORM_FIELDS.csrf] !== undefined;
    send(reply, await this.flow.handle(params, req.headers.cookie, confirming));
  }
}
