import { setTimeout } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import type { ClientMetadataInput } from '@idp/contracts';
import {
  clientDecider,
  clientStream,
  isPublic,
  type ClientCommand,
  type ClientSource,
  type ClientState,
  type OutboundPolicy,
  type RegisteredClient,
  type Unstamped,
} from '@idp/domain';
import { CONFIG, type Config } from '@idp/config';
import { randomBase64url } from '@idp/crypto';
import { COMMAND_RUNNER } from '@idp/nest-kit';
import { RecentStates, type CommandRunner } from '@idp/eventsourcing';
import { outboundPolicyOf } from '@idp/outbound';
import { TokenSecrets } from '../secrets/token-secrets';

/** 256 bits: high-entropy, so a fast keyed hash stores it safely (ARCHITECTURE "Performance"). */
const generateSecret = () => randomBase64url(32);

/** Methods that authenticate with a shared secret (RFC 6749 2.3.1). */
const usesSecret = (method: string | undefined) =>
  method !== 'none' && method !== 'private_key_jwt';

export interface RegisterOptions {
  /** Keyed hash of an RFC 7592 registration access token (dynamic registration). */
  readonly registrationTokenHash?: string;
}

/**
 * Clients as event streams (`client-<id>`). Every /token call reads its
 * client, so folded states are kept for CLIENT_CACHE_MS (ADR 0012): a change
 * takes effect at once in this process and within that time in the others.
 */
@Injectable()
export class ClientRegistry {
  private readonly recent: RecentStates<ClientState>;
  /** How long another replica may still act on a client as it was before a change. */
  private readonly staleForMs: number;
  /** Which hosts backchannel_logout_uri and jwks_uri may name (OUTBOUND_ALLOW, ISSUER). */
  private readonly outbound: OutboundPolicy;

  constructor(
    @Inject(COMMAND_RUNNER) private readonly runner: CommandRunner,
    private readonly secrets: TokenSecrets,
    @Inject(CONFIG) config: Pick<Config, 'CLIENT_CACHE_MS' | 'ISSUER' | 'OUTBOUND_ALLOW'>,
  ) {
    this.staleForMs = config.CLIENT_CACHE_MS;
    this.outbound = outboundPolicyOf(config);
    this.recent = new RecentStates(config.CLIENT_CACHE_MS);
  }

  /** Resolves once every replica's cached view of clients is younger than now. */
  untilEveryReplicaSees(): Promise<void> {
    return setTimeout(this.staleForMs);
  }

  async find(clientId: string): Promise<RegisteredClient | undefined> {
    const state = await this.state(clientId);
    return state.status === 'registered' ? state : undefined;
  }

  /** Registered or deleted: a deleted client_id is never reused. */
  async exists(clientId: string): Promise<boolean> {
    return (await this.state(clientId)).status !== 'unregistered';
  }

  private state(clientId: string): Promise<ClientState> {
    return this.recent.get(clientId, async () => {
      const { state } = await this.runner.load(clientDecider, clientStream(clientId));
      return state;
    });
  }

  /** Constant-time over keyed hashes (RFC 7592 2.2 requires a presented secret to match). */
  secretMatches(client: RegisteredClient, secret: string): boolean {
    return (
      client.secretHash !== undefined && this.secrets.clientSecretMatches(secret, client.secretHash)
    );
  }

  /**
   * Registers a client. A confidential client without a given secret gets a
   * generated one (256 bits), returned once and stored only as a keyed hash.
   */
  async register(
    metadata: ClientMetadataInput,
    source: ClientSource,
    secret?: string,
    options: RegisterOptions = {},
  ): Promise<{ client: RegisteredClient; secret?: string }> {
    const clientSecret = usesSecret(metadata.token_endpoint_auth_method)
      ? (secret ?? generateSecret())
      : undefined;
    const client = await this.run(metadata.client_id, {
      type: 'RegisterClient',
      metadata,
      ...(clientSecret ? { secretHash: this.secrets.clientSecretHash(clientSecret) } : {}),
      ...(options.registrationTokenHash === undefined
        ? {}
        : { registrationTokenHash: options.registrationTokenHash }),
      source,
      outbound: this.outbound,
      meta: this.runner.requestMeta(),
    });
    return { client, ...(clientSecret && !isPublic(client) ? { secret: clientSecret } : {}) };
  }

  async update(
    metadata: ClientMetadataInput,
    source: ClientSource,
    secret?: string,
  ): Promise<RegisteredClient> {
    return this.run(metadata.client_id, {
      type: 'UpdateClient',
      metadata,
      ...(secret ? { secretHash: this.secrets.clientSecretHash(secret) } : {}),
      source,
      outbound: this.outbound,
      meta: this.runner.requestMeta(),
    });
  }

  /**
   * A full replace (RFC 7592 2.2) that keeps the current secret. A client that
   * switches to a secret-based method without one (it was public or used
   * private_key_jwt) gets a generated secret, returned once.
   */
  async replace(
    metadata: ClientMetadataInput,
    source: ClientSource,
    secret?: string,
  ): Promise<{ client: RegisteredClient; secret?: string }> {
    const current = await this.find(metadata.client_id);
    const generated =
      secret === undefined &&
      current?.secretHash === undefined &&
      usesSecret(metadata.token_endpoint_auth_method)
        ? generateSecret()
        : undefined;
    const newSecret = secret ?? generated;
    const client = await this.update(metadata, source, newSecret);
    return { client, ...(newSecret === undefined ? {} : { secret: newSecret }) };
  }

  /** A new generated secret; the old one stops working at once. */
  async rotateSecret(clientId: string): Promise<{ client: RegisteredClient; secret: string }> {
    const secret = generateSecret();
    const client = await this.run(clientId, {
      type: 'RotateClientSecret',
      secretHash: this.secrets.clientSecretHash(secret),
      meta: this.runner.requestMeta(),
    });
    return { client, secret };
  }

  /** Whether this call deleted the client (false: unknown or already deleted). */
  async remove(clientId: string): Promise<boolean> {
    const result = await this.runner.run(clientDecider, clientStream(clientId), {
      type: 'DeleteClient',
      meta: this.runner.requestMeta(),
    });
    this.recent.set(clientId, result.state);
    return result.appended.length > 0;
  }

  /** Runs a command that must leave the client registered. */
  private async run(
    clientId: string,
    command: Unstamped<ClientCommand>,
  ): Promise<RegisteredClient> {
    const result = await this.runner.run(clientDecider, clientStream(clientId), command);
    this.recent.set(clientId, result.state);
    if (result.state.status !== 'registered') throw new Error(`client ${clientId} not registered`);
    return result.state;
  }
}
