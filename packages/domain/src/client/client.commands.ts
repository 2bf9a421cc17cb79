import type { ClientMetadataInput } from '@idp/contracts';
import type { CommandMeta } from '../decider';
import type { OutboundPolicy } from '../outbound';
import type { ClientSource } from './client.state';

/**
 * Secrets are generated and hashed outside (randomness and keys are I/O);
 * commands carry only the keyed hash, and for a client_secret_jwt client
 * also the secret sealed under KEY_ENCRYPTION_KEY (ADR 0031). `source` says who is asking: a
 * dynamically registered client may not grant itself operator-only settings.
 */
export interface RegisterClient {
  readonly type: 'RegisterClient';
  readonly metadata: ClientMetadataInput;
  readonly secretHash?: string;
  /** The secret sealed under KEY_ENCRYPTION_KEY; kept only for client_secret_jwt. */
  readonly sealedSecret?: string;
  /** Keyed hash of the RFC 7592 registration access token (dynamic registration only). */
  readonly registrationTokenHash?: string;
  readonly source: ClientSource;
  /** Which hosts backchannel_logout_uri and jwks_uri may name (the configured policy, as data). */
  readonly outbound: OutboundPolicy;
  readonly meta: CommandMeta;
}

/** Replaces the whole metadata (RFC 7592 2.2 semantics); the client_id cannot change. */
export interface UpdateClient {
  readonly type: 'UpdateClient';
  readonly metadata: ClientMetadataInput;
  /** A new secret, needed when a public client becomes confidential. */
  readonly secretHash?: string;
  /** The new secret sealed: needed with it when the client (now) uses client_secret_jwt. */
  readonly sealedSecret?: string;
  readonly source: ClientSource;
  readonly outbound: OutboundPolicy;
  readonly meta: CommandMeta;
}

export interface RotateClientSecret {
  readonly type: 'RotateClientSecret';
  readonly secretHash: string;
  /** The new secret sealed: required for a client_secret_jwt client, dropped for others. */
  readonly sealedSecret?: string;
  readonly meta: CommandMeta;
}

export interface DeleteClient {
  readonly type: 'DeleteClient';
  readonly meta: CommandMeta;
}

export type ClientCommand = RegisterClient | UpdateClient | RotateClientSecret | DeleteClient;
