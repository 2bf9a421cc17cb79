// Test data for the client specs (no jest globals here, so it also type-checks in the build).
import type { ClientEvent, ClientMetadataInput, PendingEvent } from '@idp/contracts';
import { fold } from '../decider';
import { outboundPolicy } from '../outbound';
import { at, errorBody, h } from '../grant/grant.fixtures';
import type { ClientCommand, RegisterClient, UpdateClient } from './client.commands';
import { clientDecider } from './client.decider';
import type { ClientState } from './client.state';

export { errorBody, h };

export const meta = at(1_700_000_000);

/** The default configuration's policy: ISSUER on localhost, so loopback targets are allowed. */
export const localIssuerPolicy = outboundPolicy({ allow: [], issuer: 'http://localhost:3000' });
/** A production issuer with an empty OUTBOUND_ALLOW. */
export const publicIssuerPolicy = outboundPolicy({ allow: [], issuer: 'https://idp.example' });

/** A confidential web client using the code flow. */
export const webClient = (over: Partial<ClientMetadataInput> = {}): ClientMetadataInput => ({
  client_id: 'rp',
  redirect_uris: ['https://rp.example/cb'],
  ...over,
});

/** A native app: public, PKCE, custom scheme and loopback redirects. */
export const nativeClient = (over: Partial<ClientMetadataInput> = {}): ClientMetadataInput => ({
  client_id: 'app',
  redirect_uris: ['com.example.app:/oauth2redirect', 'http://127.0.0.1:51004/cb'],
  token_endpoint_auth_method: 'none',
  ...over,
});

/** Registers with a secret exactly when the auth method needs one. */
export const register = (
  metadata: ClientMetadataInput,
  over: Partial<RegisterClient> = {},
): RegisterClient => ({
  type: 'RegisterClient',
  metadata,
  ...(metadata.token_endpoint_auth_method === 'none' ||
  metadata.token_endpoint_auth_method === 'private_key_jwt'
    ? {}
    : { secretHash: h('secret') }),
  ...(metadata.token_endpoint_auth_method === 'client_secret_jwt'
    ? { sealedSecret: 'sealed-secret' }
    : {}),
  source: 'admin',
  outbound: localIssuerPolicy,
  meta,
  ...over,
});

export const update = (
  metadata: ClientMetadataInput,
  over: Partial<UpdateClient> = {},
): UpdateClient => ({
  type: 'UpdateClient',
  metadata,
  source: 'admin',
  outbound: localIssuerPolicy,
  meta,
  ...over,
});

const stored = (e: PendingEvent, streamVersion: number): ClientEvent =>
  ({ ...e, stream: 'client-rp', streamVersion }) as ClientEvent;

/** Runs commands through the decider: what they append is a spec's history. */
export function history(...commands: ClientCommand[]): PendingEvent[] {
  const events: PendingEvent[] = [];
  let state = clientDecider.initialState();
  for (const command of commands)
    for (const e of clientDecider.decide(command, state)) {
      events.push(e);
      state = clientDecider.evolve(state, stored(e, events.length));
    }
  return events;
}

export const stateAfter = (...commands: ClientCommand[]): ClientState =>
  fold(
    clientDecider,
    history(...commands).map((e, i) => stored(e, i + 1)),
  );

/** The error body of registering on an empty stream. */
export const attempt = (command: RegisterClient): unknown =>
  errorBody(() => clientDecider.decide(command, clientDecider.initialState()));

export const metadataError = (description: string) => ({
  error: 'invalid_client_metadata',
  error_description: description,
  status: 400,
});
export const redirectError = (description: string) => ({
  error: 'invalid_redirect_uri',
  error_description: description,
  status: 400,
});
