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
import type { ClientInformation } from '@idp/contracts';
import { InvalidRequest } from '@idp/oauth-errors';
import { clientInformationBody } from '../registration/client-information-response';
import { jsonObjectBody, type JsonObject } from '../registration/json-body';
import { AdminRpcAccess } from './admin-rpc';
import { AdminTokenGuard } from './admin-token.guard';

/** Same bounds as the RPC contract: a chosen secret must be as strong as a generated one. */
const SECRET_LENGTH = { min: 32, max: 500 };

/**
 * Operators' client management: JSON in, JSON out, RFC 7591 metadata plus
 * the operator-only settings (skip_consent, access_token_claims). A chosen
 * client_id and client_secret are allowed here, never at /register. A
 * secret appears once, in the response that issued it.
 */
@Controller('admin/clients')
@UseGuards(AdminTokenGuard)
export class AdminClientsController {
  constructor(private readonly admin: AdminRpcAccess) {}

  @Post()
  @HttpCode(201)
  @Header('Cache-Control', 'no-store')
  async create(@Req() request: FastifyRequest): Promise<Record<string, unknown>> {
    const { metadata, clientSecret } = withSecret(jsonObjectBody(request));
    const info = await this.admin.rpc.registerClient({
      metadata,
      source: 'admin',
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
  ): Promise<Record<string, unknown>> {
    const { metadata, clientSecret } = withSecret(jsonObjectBody(request));
    const info = await this.admin.rpc.replaceClient({
      clientId,
      metadata,
      ...(clientSecret === undefined ? {} : { clientSecret }),
    });
    return body(info);
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id') clientId: string): Promise<void> {
    await this.admin.rpc.deleteClient({ clientId });
  }

  /** Revokes every grant of the client (tokens refused and inactive once this answers). 404 for an unknown client. */
  @Post(':id/revoke-tokens')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  revokeTokens(@Param('id') clientId: string): Promise<{ revoked_grants: number }> {
    return this.admin.rpc.revokeClientTokens({ clientId });
  }

  /** A new generated secret, shown once; the old one stops working at once. */
  @Post(':id/secret')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  rotateSecret(@Param('id') clientId: string): Promise<Record<string, unknown>> {
    return this.admin.rpc.rotateClientSecret({ clientId });
  }
}

const body = (info: ClientInformation) => clientInformationBody(info, { showSource: true });

/** Splits an operator-chosen client_secret off the metadata, checking it is strong enough. */
function withSecret(raw: JsonObject): {
  metadata: JsonObject;
  clientSecret?: string;
} {
  const { client_secret: secret, ...metadata } = raw;
  if (
    secret !== undefined &&
    (typeof secret !== 'string' ||
      secret.length < SECRET_LENGTH.min ||
      secret.length > SECRET_LENGTH.max)
  )
    throw new InvalidRequest(
      `client_secret must be a string of ${SECRET_LENGTH.min} to ${SECRET_LENGTH.max} characters`,
    );
  return {
    metadata,
    ...(secret === undefined ? {} : { clientSecret: secret }),
  };
}
