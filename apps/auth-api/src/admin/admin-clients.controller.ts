import {
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Param,
  Post,
  Put,
  Req,
  UseGuards,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import {
  adminClientBody,
  adminClientView,
  type Actor,
  type ClientInformation,
} from '@idp/contracts';
import { clientInformationBody } from '../registration/client-information-response';
import { jsonObjectBody, type JsonObject } from '../registration/json-body';
import { AdminCaller, AdminAuthGuard } from './admin-auth.guard';
import { AdminRpcAccess, checkClientBody } from './admin-rpc';

/**
 * Operators' client management: JSON in, JSON out, RFC 7591 metadata plus
 * the operator-only settings (skip_consent, access_token_claims). A chosen
 * client_id and client_secret are allowed here, never at /register. A
 * secret appears once, in the response that issued it. Bodies and answers
 * follow the schemas of the OpenAPI document (ADR 0017).
 */
@Controller('admin/clients')
@UseGuards(AdminAuthGuard)
export class AdminClientsController {
  constructor(private readonly admin: AdminRpcAccess) {}

  @Post()
  @HttpCode(201)
  @Header('Cache-Control', 'no-store')
  async create(
    @Req() request: FastifyRequest,
    @AdminCaller() actor: Actor,
  ): Promise<Record<string, unknown>> {
    const { metadata, clientSecret } = withSecret(jsonObjectBody(request));
    const info = await this.admin.rpc.registerClient({
      metadata,
      source: 'admin',
      actor,
      ...(clientSecret === undefined ? {} : { clientSecret }),
    });
    return body(info);
  }

  @Get(':id')
  @Header('Cache-Control', 'no-store')
  async read(@Param('id') clientId: string): Promise<Record<string, unknown>> {
    return body(await this.admin.rpc.readClient({ clientId }));
  }

  /** A full replace: omitted metadata returns to its default. The secret is kept unless given. */
  @Put(':id')
  @Header('Cache-Control', 'no-store')
  async replace(
    @Param('id') clientId: string,
    @Req() request: FastifyRequest,
    @AdminCaller() actor: Actor,
  ): Promise<Record<string, unknown>> {
    const { metadata, clientSecret } = withSecret(jsonObjectBody(request));
    const info = await this.admin.rpc.replaceClient({
      clientId,
      metadata,
      actor,
      ...(clientSecret === undefined ? {} : { clientSecret }),
    });
    return body(info);
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id') clientId: string, @AdminCaller() actor: Actor): Promise<void> {
    await this.admin.rpc.deleteClient({ clientId, actor });
  }

  /** Revokes every grant of the client (tokens refused and inactive once this answers). 404 for an unknown client. */
  @Post(':id/revoke-tokens')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  revokeTokens(
    @Param('id') clientId: string,
    @AdminCaller() actor: Actor,
  ): Promise<{ revoked_grants: number }> {
    return this.admin.rpc.revokeClientTokens({ clientId, actor });
  }

  /** A new generated secret, shown once; the old one stops working at once. */
  @Post(':id/secret')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  rotateSecret(
    @Param('id') clientId: string,
    @AdminCaller() actor: Actor,
  ): Promise<Record<string, unknown>> {
    return this.admin.rpc.rotateClientSecret({ clientId, actor });
  }
}

/** The documented answer: the client information in adminClientView's shape. */
const body = (info: ClientInformation) =>
  adminClientView.parse(clientInformationBody(info, { showSource: true }));

/**
 * Checks the body against adminClientBody (every metadata field, and an
 * operator-chosen client_secret as strong as a generated one), then splits
 * the secret off. The metadata goes on as sent: token-service applies the
 * defaults and the rules between fields.
 */
function withSecret(raw: JsonObject): {
  metadata: JsonObject;
  clientSecret?: string;
} {
  checkClientBody(adminClientBody, raw);
  const { client_secret: secret, ...metadata } = raw;
  return {
    metadata,
    ...(typeof secret === 'string' ? { clientSecret: secret } : {}),
  };
}
