import { Inject, Injectable } from '@nestjs/common';
import {
  clientMetadata,
  type ClientMetadata,
  TOKEN_RPC,
  type TokenRpcClient,
} from '@idp/contracts';
import { ServerError } from '@idp/oauth-errors';

/** token-service's limit for a client_id (getClient rejects longer ones). */
const MAX_CLIENT_ID = 200;

/** Looks clients up in token-service, the owner of client metadata. */
@Injectable()
export class ClientDirectory {
  constructor(@Inject(TOKEN_RPC) private readonly tokens: TokenRpcClient) {}

  /** The client, or undefined when unknown (validateAuthorizationRequest turns that into an error page). */
  async find(clientId: string | undefined): Promise<ClientMetadata | undefined> {
    if (clientId === undefined || clientId.length > MAX_CLIENT_ID) return undefined;
    const { client } = await this.tokens.getClient({ clientId });
    if (client === null) return undefined;
    // The RPC carries plain JSON; the schema gives it its type and defaults.
    const parsed = clientMetadata.safeParse(client);
    if (!parsed.success) throw new ServerError(new Error(`client ${clientId}: invalid metadata`));
    return parsed.data;
  }
}
