import type { ClientEvent, ClientMetadata } from '@idp/contracts';
import { assertNever } from '../decider';

export type ClientSource = Extract<ClientEvent, { type: 'client.registered' }>['data']['source'];

export interface RegisteredClient {
  readonly status: 'registered';
  readonly clientId: string;
  readonly metadata: ClientMetadata;
  /** Keyed hash of the secret; absent for public and private_key_jwt clients. */
  readonly secretHash?: string;
  /**
   * The secret sealed under KEY_ENCRYPTION_KEY: only while the client uses
   * client_secret_jwt, whose assertions are MACed with the secret itself
   * (ADR 0031). Other methods never have it.
   */
  readonly sealedSecret?: string;
  readonly source: ClientSource;
  /** RFC 7591 3.2.1 client_id_issued_at, seconds; unknown for clients registered before it was recorded. */
  readonly issuedAt?: number;
  /** Keyed hash of the RFC 7592 registration access token; absent for admin and seed clients. */
  readonly registrationTokenHash?: string;
}
/** A deleted client_id stays taken: old tokens and logs still name it. */
export interface DeletedClient {
  readonly status: 'deleted';
  readonly clientId: string;
}
export type ClientState = { readonly status: 'unregistered' } | RegisteredClient | DeletedClient;

export const initialClientState = (): ClientState => ({ status: 'unregistered' });

export function evolveClient(state: ClientState, event: ClientEvent): ClientState {
  switch (event.type) {
    case 'client.registered': {
      const { clientId, metadata, secretHash, sealedSecret, source, issuedAt } = event.data;
      const { registrationTokenHash } = event.data;
      return {
        status: 'registered',
        clientId,
        metadata,
        source,
        ...(secretHash === undefined ? {} : { secretHash }),
        ...(sealedSecret === undefined ? {} : { sealedSecret }),
        ...(issuedAt === undefined ? {} : { issuedAt }),
        ...(registrationTokenHash === undefined ? {} : { registrationTokenHash }),
      };
    }
    case 'client.updated': {
      if (state.status !== 'registered') return state;
      const { metadata } = event.data;
      // Becoming public drops the secret, so switching back later cannot revive it.
      if (metadata.token_endpoint_auth_method === 'none') {
        const { secretHash: _dropped, sealedSecret: _sealed, ...rest } = state;
        return { ...rest, metadata };
      }
      // Leaving client_secret_jwt drops the sealed copy: only the hash is kept,
      // and switching back needs a new secret (ADR 0031).
      if (metadata.token_endpoint_auth_method !== 'client_secret_jwt') {
        const { sealedSecret: _sealed, ...rest } = state;
        return { ...rest, metadata };
      }
      return { ...state, metadata };
    }
    case 'client.secret_rotated': {
      if (state.status !== 'registered') return state;
      const { sealedSecret: _old, ...rest } = state;
      const { secretHash, sealedSecret } = event.data;
      return { ...rest, secretHash, ...(sealedSecret === undefined ? {} : { sealedSecret }) };
    }
    case 'client.deleted':
      return { status: 'deleted', clientId: event.data.clientId };
    default:
      return assertNever(event);
  }
}
