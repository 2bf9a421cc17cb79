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
import { InvalidClientMetadata } from '@idp/oauth-errors';
import { COMMAND_RUNNER } from '@idp/nest-kit';
import { RecentStates, type CommandRunner } from '@idp/eventsourcing';
import { outboundPolicyOf } from '@idp/outbound';
import { ClientSecretBox } from '../secrets/client-secret-box';
import { TokenSecrets } from '../secrets/token-secrets';

type AuthMethod = ClientMetadataInput['token_endpoint_auth_method'];

/**
 * 256 bits: high-entropy, so a fast keyed hash stores it safely (ARCHITECTURE
 * "Performance"). A client_secret_jwt secret is an HMAC key as well: 64
 * random bytes (86 octets once encoded), long enough to key HS512 (RFC 7518 3.2).
 */
const generateSecret = (method: AuthMethod) =>
  randomBase64url(method === 'client_secret_jwt' ? 64 : 32);

/** Methods that authenticate with a shared secret (RFC 6749 2.3.1, RFC 7523 2.2). */
const usesSecret = (method: AuthMethod) => method !== 'none' && method !== 'private_key_jwt';

/** The shortest secret a client_secret_jwt client may be given: an HS256 key (RFC 7518 3.2). */
const MIN_HMAC_SECRET_OCTETS = 32;

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
    private readonly box: ClientSecretBox,
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
   * The secret of a client_secret_jwt client, the HMAC key of its assertions;
   * undefined for any other client, and when the sealed copy does not open
   * (KEY_ENCRYPTION_KEY is not the one it was sealed under): fail closed.
   */
  hmacSecret(client: RegisteredClient): string | undefined {
    if (client.metadata.token_endpoint_auth_method !== 'client_secret_jwt') return undefined;
    if (client.sealedSecret === undefined) return undefined;
    return this.box.open(client.clientId, client.sealedSecret);
  }

  /**
   * Registers a client. A confidential client without a given secret gets a
   * generated one (256 bits), returned once and stored only as a keyed hash;
   * a client_secret_jwt client's is also stored sealed (ADR 0031).
   */
  async register(
    metadata: ClientMetadataInput,
    source: ClientSource,
    secret?: string,
    options: RegisterOptions = {},
  ): Promise<{ client: RegisteredClient; secret?: string }> {
    const method = metadata.token_endpoint_auth_method;
    const clientSecret = usesSecret(method) ? (secret ?? generateSecret(method)) : undefined;
    const client = await this.run(metadata.client_id, {
      type: 'RegisterClient',
      metadata,
      ...this.secretMaterial(metadata, clientSecret),
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
      ...this.secretMaterial(metadata, secret),
      source,
      outbound: this.outbound,
      meta: this.runner.requestMeta(),
    });
  }

  /**
   * A full replace (RFC 7592 2.2) that keeps the current secret. A client that
   * switches to a secret-based method without one (it was public or used
   * private_key_jwt) gets a generated secret, returned once. So does a client
   * that switches to client_secret_jwt: only the hash of its old secret is
   * stored, and an assertion's HMAC needs the secret itself.
   */
  async replace(
    metadata: ClientMetadataInput,
    source: ClientSource,
    secret?: string,
  ): Promise<{ client: RegisteredClient; secret?: string }> {
    const current = await this.find(metadata.client_id);
    const method = metadata.token_endpoint_auth_method;
    const lacksSecret =
      current?.secretHash === undefined ||
      (method === 'client_secret_jwt' &&
        (current.sealedSecret === undefined ||
          current.metadata.token_endpoint_auth_method !== 'client_secret_jwt'));
    const generated =
      secret === undefined && lacksSecret && usesSecret(method)
        ? generateSecret(method)
        : undefined;
    const newSecret = secret ?? generated;
    const client = await this.update(metadata, source, newSecret);
    return { client, ...(newSecret === undefined ? {} : { secret: newSecret }) };
  }

  /** A new generated secret; the old one stops working at once (sealed anew for client_secret_jwt). */
  async rotateSecret(clientId: string): Promise<{ client: RegisteredClient; secret: string }> {
    const method = (await this.find(clientId))?.metadata.token_endpoint_auth_method;
    const secret = generateSecret(method);
    const client = await this.run(clientId, {
      type: 'RotateClientSecret',
      secretHash: this.secrets.clientSecretHash(secret),
      ...(method === 'client_secret_jwt' ? { sealedSecret: this.box.seal(clientId, secret) } : {}),
      meta: this.runner.requestMeta(),
    });
    return { client, secret };
  }

  /**
   * What a command stores of a secret: always its keyed hash, and for a
   * client_secret_jwt client also the secret sealed under KEY_ENCRYPTION_KEY.
   */
  private secretMaterial(
    metadata: ClientMetadataInput,
    secret: string | undefined,
  ): { secretHash?: string; sealedSecret?: string } {
    if (!secret) return {};
    const secretHash = this.secrets.clientSecretHash(secret);
    if (metadata.token_endpoint_auth_method !== 'client_secret_jwt') return { secretHash };
    if (Buffer.byteLength(secret, 'utf8') < MIN_HMAC_SECRET_OCTETS)
      throw new InvalidClientMetadata(
        `client_secret must be at least ${MIN_HMAC_SECRET_OCTETS} octets for client_secret_jwt (an HS256 key)`,
      );
    return { secretHash, sealedSecret: this.box.seal(metadata.client_id, secret) };
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
