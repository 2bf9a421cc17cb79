import { Injectable } from '@nestjs/common';
import type { ClientInformation, ClientMetadataInput } from '@idp/contracts';
import { DomainRuleError, type RegisteredClient } from '@idp/domain';
import { InvalidClientMetadata, InvalidRequest, InvalidToken } from '@idp/oauth-errors';
import { ClientRegistry } from '../clients/client-registry.service';
import { RegistrationTokens } from '../clients/registration-tokens';
import { GrantRevocations } from '../revocation/grant-revocations.service';
import { clientInformation, SERVER_MANAGED_FIELDS, withoutNulls } from './client-information';
import { newClientId } from './client-admin.service';

type Body = Readonly<Record<string, unknown>>;

const INVALID_TOKEN = 'the registration access token is invalid';

/**
 * Clients that register and manage themselves: RFC 7591 registration (the
 * initial access token is checked at the edge) and RFC 7592 read, update
 * and delete, authenticated by the registration access token issued at
 * registration. Self-registered clients cannot grant themselves
 * operator-only settings (the decider's `dynamic_registration` rules).
 */
@Injectable()
export class ClientRegistrations {
  constructor(
    private readonly registry: ClientRegistry,
    private readonly tokens: RegistrationTokens,
    private readonly grants: GrantRevocations,
  ) {}

  /** RFC 7591 3.1: the server assigns client_id, client_secret and the registration access token. */
  async register(body: Body): Promise<ClientInformation> {
    for (const field of ['client_id', ...SERVER_MANAGED_FIELDS])
      if (Object.hasOwn(body, field))
        throw new InvalidClientMetadata(`${field} is issued by the server (RFC 7591 3.2.1)`);
    const { token, hash } = this.tokens.issue();
    const { client, secret } = await this.registry.register(
      { ...withoutNulls(body), client_id: newClientId() } as ClientMetadataInput,
      'dynamic_registration',
      undefined,
      { registrationTokenHash: hash },
    );
    return clientInformation(client, {
      ...(secret === undefined ? {} : { secret }),
      registrationAccessToken: token,
    });
  }

  /** RFC 7592 2.1. The token is echoed: RFC 7592 3 makes it part of every response. */
  async read(clientId: string, token: string): Promise<ClientInformation> {
    return clientInformation(await this.authenticate(clientId, token), {
      registrationAccessToken: token,
    });
  }

  /** RFC 7592 2.2: a full replace; the client cannot choose its secret, only keep it. */
  async update(clientId: string, token: string, body: Body): Promise<ClientInformation> {
    const current = await this.authenticate(clientId, token);
    for (const field of SERVER_MANAGED_FIELDS.filter((f) => f !== 'client_secret'))
      if (Object.hasOwn(body, field))
        throw new InvalidRequest(`the request must not include ${field} (RFC 7592 2.2)`);
    if (body['client_id'] !== clientId)
      throw new InvalidRequest("client_id must be present and be the client's own (RFC 7592 2.2)");
    const { client_secret: presented, ...metadata } = withoutNulls(body);
    if (
      presented !== undefined &&
      (typeof presented !== 'string' || !this.registry.secretMatches(current, presented))
    )
      throw new InvalidRequest(
        'client_secret must match the current secret: a client cannot choose its secret (RFC 7592 2.2)',
      );
    const { client, secret } = await this.orInvalidToken(() =>
      this.registry.replace(metadata as ClientMetadataInput, 'dynamic_registration'),
    );
    return clientInformation(client, {
      ...(secret === undefined ? {} : { secret }),
      registrationAccessToken: token,
    });
  }

  /**
   * RFC 7592 2.3; the token dies with the client (a deleted client
   * authenticates nothing), and so do its grants (reason client_deleted),
   * tombstones written before the answer. They are revoked once before the
   * delete, so a 503 (tombstones refused) leaves the client and its token in
   * place for a retry, and once after, for a grant issued in between (after
   * CLIENT_CACHE_MS, when no replica can still see the client: ADR 0012).
   */
  async delete(clientId: string, token: string): Promise<void> {
    await this.authenticate(clientId, token);
    await this.grants.revokeGrantsOf({ clientId }, 'client_deleted');
    await this.registry.remove(clientId);
    await this.registry.untilEveryReplicaSees();
    await this.grants.revokeGrantsOf({ clientId }, 'client_deleted');
  }

  /**
   * RFC 7592 2.1: an unknown client, a client without a registration access
   * token (admin, seed) and another client's token all get the same 401
   * invalid_token (RFC 6750 3.1), so the endpoint does not reveal which
   * client_ids exist.
   */
  private async authenticate(clientId: string, token: string): Promise<RegisteredClient> {
    const client = await this.registry.find(clientId);
    if (!this.tokens.matches(token, client?.registrationTokenHash) || !client)
      throw new InvalidToken(INVALID_TOKEN);
    return client;
  }

  /** Deleted between the token check and the command: the token is no longer valid. */
  private async orInvalidToken<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof DomainRuleError && err.code === 'client.not_found')
        throw new InvalidToken(INVALID_TOKEN);
      throw err;
    }
  }
}
