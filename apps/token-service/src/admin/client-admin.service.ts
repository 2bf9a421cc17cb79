import { Injectable } from '@nestjs/common';
import type { ClientInformation, ClientMetadataInput } from '@idp/contracts';
import { randomBase64url } from '@idp/crypto';
import { InvalidClientMetadata, InvalidRequest } from '@idp/oauth-errors';
import { ClientRegistry } from '../clients/client-registry.service';
import { GrantRevocations } from '../revocation/grant-revocations.service';
import { conflict, notFound, translated } from './admin-errors';
import { clientInformation, metadataOnly } from './client-information';

type Body = Readonly<Record<string, unknown>>;

/** 128 random bits: unguessable, URL-safe (it appears in registration_client_uri). */
export const newClientId = (): string => randomBase64url(16);

/**
 * Clients managed by an operator (the admin API, source `admin`). Operators
 * may choose the client_id and secret and set operator-only metadata
 * (skip_consent, access_token_claims); read-only fields of a previous
 * response (client_id_issued_at, source...) are ignored, so GET → edit → PUT
 * works. Every change is a client event through the decider.
 */
@Injectable()
export class ClientAdmin {
  constructor(
    private readonly registry: ClientRegistry,
    private readonly grants: GrantRevocations,
  ) {}

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

  /**
   * Deletes the client and, before answering, revokes all its grants (reason
   * client_deleted) with the tombstones written. Deleted first, so the client
   * can neither authenticate nor start a new authorization meanwhile (on
   * other replicas once CLIENT_CACHE_MS has passed: the grants are revoked
   * again then, ADR 0012). A
   * repeated delete answers 404 but completes the revocation (a retry after a 503).
   */
  async delete(clientId: string): Promise<void> {
    const deleted = await this.registry.remove(clientId);
    if (!deleted && !(await this.registry.exists(clientId))) throw notFound('no such client');
    await this.grants.revokeGrantsOf({ clientId }, 'client_deleted');
    // Another replica may still see the client for CLIENT_CACHE_MS and issue
    // to it: once that has passed, revoke whatever it issued meanwhile.
    await this.registry.untilEveryReplicaSees();
    await this.grants.revokeGrantsOf({ clientId }, 'client_deleted');
    if (!deleted) throw notFound('no such client');
  }

  /** Revokes every grant of the client (reason admin); a deleted client's leftovers too. */
  async revokeTokens(clientId: string): Promise<{ revoked_grants: number }> {
    if (!(await this.registry.exists(clientId))) throw notFound('no such client');
    return { revoked_grants: await this.grants.revokeGrantsOf({ clientId }, 'admin') };
  }

  async rotateSecret(
    clientId: string,
  ): Promise<{ client_id: string; client_secret: string; client_secret_expires_at: number }> {
    const { client, secret } = await translated(() => this.registry.rotateSecret(clientId));
    return { client_id: client.clientId, client_secret: secret, client_secret_expires_at: 0 };
  }
}
