import {
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Put,
  Req,
  Res,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CONFIG, type Config } from '@idp/config';
import { InvalidToken, NO_STORE, OAuthError } from '@idp/oauth-errors';
import { AdminRpcAccess } from '../admin/admin-rpc';
import { EdgeConfig } from '../http/edge-config';
import { clientInformationBody } from './client-information-response';
import { jsonObjectBody } from './json-body';
import { REGISTRATION_PATH } from './registration-policy';
import { bearerFrom, StaticBearer } from './static-bearer';
import { RateLimit } from '../http/rate-limit.guard';

/** Longer than any token we issue: refused here instead of as a malformed RPC request. */
const MAX_REGISTRATION_TOKEN_LENGTH = 512;

/**
 * RFC 7591 dynamic client registration and the RFC 7592 client
 * configuration endpoint (`/register/<client_id>`). The edge checks the
 * initial access token and the content type; token-service assigns the
 * client_id, secret and registration access token and checks the latter on
 * every RFC 7592 call. The configuration endpoint stays on when
 * registration is turned off, so registered clients can still read,
 * update and delete themselves.
 */
@Controller('register')
@RateLimit('register')
export class RegistrationController {
  private readonly initialAccessToken: StaticBearer;

  constructor(
    @Inject(CONFIG) config: Config,
    private readonly edge: EdgeConfig,
    private readonly admin: AdminRpcAccess,
  ) {
    this.initialAccessToken = new StaticBearer(config.INITIAL_ACCESS_TOKEN);
  }

  /** RFC 7591 3.1, 3.2.1: 201 with the client information. */
  @Post()
  async register(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    if (!this.initialAccessToken.enabled)
      throw new OAuthError('invalid_request', {
        status: 404,
        description: 'dynamic client registration is not enabled on this server',
      });
    this.initialAccessToken.verify(
      request.headers.authorization,
      'a valid initial access token is required (RFC 7591 3)',
    );
    const metadata = jsonObjectBody(request);
    const info = await this.admin.rpc.registerClient({ metadata, source: 'dynamic_registration' });
    reply.status(201).headers(NO_STORE);
    return this.body(info);
  }

  /** RFC 7592 2.1. */
  @Get(':id')
  async read(
    @Param('id') clientId: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const registrationAccessToken = registrationToken(request);
    const info = await this.admin.rpc.readRegistration({ clientId, registrationAccessToken });
    reply.headers(NO_STORE);
    return this.body(info);
  }

  /** RFC 7592 2.2: a full replace of the metadata. */
  @Put(':id')
  async update(
    @Param('id') clientId: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const registrationAccessToken = registrationToken(request);
    const metadata = jsonObjectBody(request);
    const info = await this.admin.rpc.updateRegistration({
      clientId,
      registrationAccessToken,
      metadata,
    });
    reply.headers(NO_STORE);
    return this.body(info);
  }

  /** RFC 7592 2.3: 204, and the registration access token is dead with the client. */
  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id') clientId: string, @Req() request: FastifyRequest): Promise<void> {
    const registrationAccessToken = registrationToken(request);
    await this.admin.rpc.deleteRegistration({ clientId, registrationAccessToken });
  }

  private body(info: Parameters<typeof clientInformationBody>[0]) {
    const clientId = String(info.metadata['client_id']);
    return clientInformationBody(info, {
      registrationClientUri: this.edge.url(`${REGISTRATION_PATH}/${encodeURIComponent(clientId)}`),
    });
  }
}

/** RFC 7592 2: the registration access token as a Bearer token (RFC 6750 2.1); else 401. */
function registrationToken(request: FastifyRequest): string {
  const token = bearerFrom(request.headers.authorization);
  if (token === undefined || token.length > MAX_REGISTRATION_TOKEN_LENGTH)
    throw new InvalidToken('a valid registration access token is required (RFC 7592 2)');
  return token;
}
