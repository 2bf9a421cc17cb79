import {
  ClientDeleted,
  ClientRegistered,
  clientMetadata,
  type ClientEvent,
  freshEventMeta,
} from '@idp/contracts';
import { fold } from '../decider';
import {
  allowsGrant,
  allowsResponseType,
  isPublic,
  postLogoutRedirectUriRegistered,
  redirectUriRegistered,
} from './client.queries';
import { clientDecider } from './client.decider';
import { nativeClient, webClient } from './client.fixtures';

const stored = (...events: { type: string; data: unknown }[]) =>
  fold(
    clientDecider,
    events.map((e, i) => ({ ...e, stream: 'client-rp', streamVersion: i + 1 }) as ClientEvent),
  );
const registeredAs = (metadata: ReturnType<typeof webClient>) =>
  stored(
    ClientRegistered.create(
      { clientId: metadata.client_id, metadata: clientMetadata.parse(metadata), source: 'seed' },
      freshEventMeta('c'),
    ),
  );

const hybrid = registeredAs(
  webClient({
    grant_types: ['authorization_code', 'implicit', 'refresh_token'],
    response_types: ['code id_token', 'code'],
    post_logout_redirect_uris: ['https://rp.example/bye'],
  }),
);

describe('client queries', () => {
  it('tells public from confidential clients', () => {
    expect(isPublic(registeredAs(nativeClient()))).toBe(true);
    expect(isPublic(hybrid)).toBe(false);
  });

  it('allows only registered grant types', () => {
    expect(allowsGrant(hybrid, 'refresh_token')).toBe(true);
    expect(allowsGrant(hybrid, 'client_credentials')).toBe(false);
  });

  it('compares response types as sets of words', () => {
    expect(allowsResponseType(hybrid, 'id_token code')).toBe(true);
    expect(allowsResponseType(hybrid, 'code')).toBe(true);
    expect(allowsResponseType(hybrid, 'id_token')).toBe(false);
    expect(allowsResponseType(hybrid, 'code token')).toBe(false);
  });

  it('matches redirect URIs exactly, without normalisation', () => {
    expect(redirectUriRegistered(hybrid, 'https://rp.example/cb')).toBe(true);
    for (const near of [
      'https://rp.example/cb/',
      'https://RP.example/cb',
      'https://rp.example:443/cb',
      'https://rp.example/cb?x=1',
    ])
      expect(redirectUriRegistered(hybrid, near)).toBe(false);
    expect(postLogoutRedirectUriRegistered(hybrid, 'https://rp.example/bye')).toBe(true);
    expect(postLogoutRedirectUriRegistered(hybrid, 'https://rp.example/cb')).toBe(false);
  });

  it('allows nothing once the client is deleted or when it never existed', () => {
    const deleted = stored(
      ClientRegistered.create(
        { clientId: 'rp', metadata: clientMetadata.parse(webClient()), source: 'seed' },
        freshEventMeta('c'),
      ),
      ClientDeleted.create({ clientId: 'rp' }, freshEventMeta('c')),
    );
    for (const c of [deleted, clientDecider.initialState()]) {
      expect(allowsGrant(c, 'authorization_code')).toBe(false);
      expect(redirectUriRegistered(c, 'https://rp.example/cb')).toBe(false);
      expect(isPublic(c)).toBe(false);
    }
  });
});
