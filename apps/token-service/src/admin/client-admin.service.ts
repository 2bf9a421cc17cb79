import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { ClientInformation, ClientMetadataInput } from '@idp/contracts';
import { InvalidClientMetadata, InvalidRequest } from '@idp/oauth-errors';
import { ClientRegistry } from '../clients/client-registry.service';
import { conflict, notFound, translated } from './admin-errors';
import { clientInformation, metadataOnly } from './client-information';

type Body = Readonly<Record<string, unknown>>;

/** 128 random bits: unguessable, URL-safe (it appears in registration_client_uri). */
export const newClientId = (): string => randomBytes(16).toString('base64url');

/**
 * Clients managed by an operator (the admin API, source `admin`). Operators
 * may choose the client_id and secret and set operator-only metadata
 * (skip_consent, access_token_claims); read-only fields of a previous
 * response (client_id_issued_at, source...) are ignored, so GET → edit → PUT
 * works. Every change is a client event through the decider.
 */
@Injectable()
export class ClientAdmin {
  constructor(private readonly registry: ClientRegistry) {}

  async register(body: Body, clientSecret?: string): Promise<ClientInformation> {
    const metadata = metadataOnly(body);
    const clientId = metadata['client_id'] ?? newClientId();
    if (typeof clientId !== 'string') throw new InvalidClientMetadata('client_id must be a string');
    if (await this.registry.exists(clientId))
      throw conflict(`client_id ${clientId} is already taken (deleted client_ids are not reused)`);
    const { client, secret } = await this.registry.register(
      { ...metadata, client_id: clientId } as ClientMetadataInput,
      'admin',
      clientSecret,
    );
    return clientInformation(client, secret === undefined ? {} : { secret });
  }

  async read(clientId: string): Promise<ClientInformation> {
    const client = await this.registry.find(clientId);
    if (!client) throw notFound('no such client');
    return clientInformation(client);
  }

  /** Full replace: omitted metadata returns to its default (RFC 7592 2.2 semantics). */
  async replace(clientId: string, body: Body, clientSecret?: string): Promise<ClientInformation> {
    const metadata = metadataOnly(body);
    if (metadata['client_id'] !== undefined && metadata['client_id'] !== clientId)
      throw new InvalidRequest('client_id in the body does not match the URL');
    const { client, secret } = await translated(() =>
      this.registry.replace(
        { ...metadata, client_id: clientId } as ClientMetadataInput,
        'admin',
        clientSecret,
      ),
    );
    return clientInformation(client, secret === undefined ? {} : { secret });
  }

  /** The client's grants are revoked by the client.deleted consumer (reason client_deleted). */
  async delete(clientId: string): Promise<void> {
    if (!(await this.registry.remove(clientId))) throw notFound('no such client');
  }

  async rotateSecret(
    clientId: string,
  ): Promise<{ client_id: string; client_secret: string; client_secret_expires_at: number }> {
    const { client, secret } = await translated(() => this.registry.rotateSecret(clientId));
    return { client_id: client.clientId, client_secret: secret, client_secret_expires_at: 0 };
  }
}
