import {
  ClientDeleted,
  ClientRegistered,
  ClientSecretRotated,
  ClientUpdated,
  type ClientEvent,
  type ClientMetadata,
  type PendingEvent,
} from '@idp/contracts';
import { InvalidClientMetadata } from '@idp/oauth-errors';
import { assertNever, DomainRuleError, type Decider, eventMeta } from '../decider';
import type {
  ClientCommand,
  RegisterClient,
  RotateClientSecret,
  UpdateClient,
} from './client.commands';
import {
  checkOperatorOnly,
  parseClientMetadata,
  validateClientMetadata,
} from './client-metadata.rules';
import {
  evolveClient,
  initialClientState,
  type ClientState,
  type RegisteredClient,
} from './client.state';

export type PendingClientEvent = PendingEvent<ClientEvent['type'], ClientEvent['data']>;

function registered(state: ClientState): RegisteredClient {
  if (state.status !== 'registered')
    throw new DomainRuleError('client.not_found', 'no such client');
  return state;
}

/** Key-order-insensitive equality, so an unchanged update appends nothing. */
function sameJson(a: unknown, b: unknown): boolean {
  const canonical = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v)
            .sort(([x], [y]) => (x < y ? -1 : 1))
            .map(([k, x]) => [k, canonical(x)]),
        )
      : Array.isArray(v)
        ? v.map(canonical)
        : v;
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function register(cmd: RegisterClient, state: ClientState): PendingClientEvent[] {
  const metadata = parseClientMetadata(cmd.metadata);
  // A deleted client_id stays taken: grants, logs and RPs still refer to it.
  if (state.status !== 'unregistered')
    throw new InvalidClientMetadata(`client_id ${metadata.client_id} is already registered`);
  if (cmd.source === 'dynamic_registration') checkOperatorOnly(metadata, undefined);
  validateClientMetadata(
    metadata,
    { hash: cmd.secretHash !== undefined, sealed: cmd.sealedSecret !== undefined },
    cmd.outbound,
  );
  const { secretHash, source, registrationTokenHash } = cmd;
  // Only client_secret_jwt keeps the secret (sealed): every other method stores the hash alone.
  const sealedSecret = sealedFor(metadata, cmd.sealedSecret);
  return [
    ClientRegistered.create(
      {
        clientId: metadata.client_id,
        metadata,
        source,
        issuedAt: cmd.meta.now,
        ...(secretHash === undefined ? {} : { secretHash }),
        ...(sealedSecret === undefined ? {} : { sealedSecret }),
        ...(registrationTokenHash === undefined ? {} : { registrationTokenHash }),
      },
      eventMeta(cmd.meta),
    ),
  ];
}

function update(cmd: UpdateClient, state: ClientState): PendingClientEvent[] {
  const client = registered(state);
  const metadata: ClientMetadata = parseClientMetadata(cmd.metadata);
  if (metadata.client_id !== client.clientId)
    throw new InvalidClientMetadata('client_id cannot be changed');
  if (cmd.source === 'dynamic_registration') checkOperatorOnly(metadata, client.metadata);
  const keepsSecret =
    metadata.token_endpoint_auth_method !== 'none' && client.secretHash !== undefined;
  const sealedSecret = sealedFor(metadata, cmd.sealedSecret);
  // The sealed copy survives only while the method stays client_secret_jwt (evolveClient).
  const keepsSealed =
    cmd.secretHash === undefined &&
    client.sealedSecret !== undefined &&
    metadata.token_endpoint_auth_method === 'client_secret_jwt';
  validateClientMetadata(
    metadata,
    {
      hash: cmd.secretHash !== undefined || keepsSecret,
      sealed: sealedSecret !== undefined || keepsSealed,
    },
    cmd.outbound,
  );
  const events: PendingClientEvent[] = [];
  if (!sameJson(metadata, client.metadata))
    events.push(ClientUpdated.create({ clientId: client.clientId, metadata }, eventMeta(cmd.meta)));
  const becomesSealed = sealedSecret !== undefined && client.sealedSecret === undefined;
  if (cmd.secretHash !== undefined && (cmd.secretHash !== client.secretHash || becomesSealed))
    events.push(
      ClientSecretRotated.create(
        {
          clientId: client.clientId,
          secretHash: cmd.secretHash,
          ...(sealedSecret === undefined ? {} : { sealedSecret }),
        },
        eventMeta(cmd.meta),
      ),
    );
  return events;
}

/** The sealed secret to record: only for a client_secret_jwt client (ADR 0031). */
function sealedFor(metadata: ClientMetadata, sealed: string | undefined): string | undefined {
  return metadata.token_endpoint_auth_method === 'client_secret_jwt' ? sealed : undefined;
}

function rotateSecret(cmd: RotateClientSecret, state: ClientState): PendingClientEvent[] {
  const client = registered(state);
  if (client.metadata.token_endpoint_auth_method === 'none')
    throw new InvalidClientMetadata(
      'a public client (token_endpoint_auth_method none) has no secret',
    );
  const sealedSecret = sealedFor(client.metadata, cmd.sealedSecret);
  if (client.metadata.token_endpoint_auth_method === 'client_secret_jwt' && !sealedSecret)
    throw new InvalidClientMetadata('client_secret_jwt requires a client secret');
  if (cmd.secretHash === client.secretHash) return [];
  return [
    ClientSecretRotated.create(
      {
        clientId: client.clientId,
        secretHash: cmd.secretHash,
        ...(sealedSecret === undefined ? {} : { sealedSecret }),
      },
      eventMeta(cmd.meta),
    ),
  ];
}

/**
 * The client aggregate (stream `client-<clientId>`). Metadata errors are the
 * RFC 7591 3.2.2 errors the registration endpoint returns; an unknown client
 * is a DomainRuleError('client.not_found') for the edge to show as 404 (admin)
 * or invalid_token (RFC 7592).
 */
export function decideClient(command: ClientCommand, state: ClientState): PendingClientEvent[] {
  switch (command.type) {
    case 'RegisterClient':
      return register(command, state);
    case 'UpdateClient':
      return update(command, state);
    case 'RotateClientSecret':
      return rotateSecret(command, state);
    case 'DeleteClient':
      // Idempotent. The handler then revokes the client's grants (reason client_deleted).
      return state.status === 'registered'
        ? [ClientDeleted.create({ clientId: state.clientId }, eventMeta(command.meta))]
        : [];
    default:
      return assertNever(command);
  }
}

export const clientDecider: Decider<ClientState, ClientCommand, ClientEvent> = {
  decide: decideClient,
  evolve: evolveClient,
  initialState: initialClientState,
};
