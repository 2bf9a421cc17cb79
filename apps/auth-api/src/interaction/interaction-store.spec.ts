import { testConfig } from '../http/auth-api.fixtures';
import { EdgeConfig } from '../http/edge-config';
import { readCookie } from '../http/cookies';
import type { AuthorizationRequest } from '../authorize/types';
import { INTERACTION_COOKIE, InteractionStore, pendingOf } from './interaction-store';

const NOW = 1_700_000_000;
const request: AuthorizationRequest = {
  client_id: 'app',
  redirect_uri: 'https://app.example/cb',
  redirect_uri_supplied: true,
  response_type: 'code',
  response_mode: 'query',
  scope: ['openid'],
  ignored_scopes: [],
  state: 'st',
  prompt: [],
  ui_locales: [],
  acr_values: [],
  id_token_hint: 'x'.repeat(8000),
  max_age: 10,
};
const fields = {
  step: 'login' as const,
  request: pendingOf(request),
  clientName: 'App',
  consent: true,
};

function cookieValue(setCookie: string): string {
  return readCookie(setCookie.split(';')[0], INTERACTION_COOKIE) as string;
}

describe('InteractionStore (sealed interaction cookie)', () => {
  const store = new InteractionStore(new EdgeConfig(testConfig()));

  it('scopes the cookie to the interaction path, for 10 minutes', () => {
    const { interaction, cookie } = store.start(fields, NOW);
    expect(interaction.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(cookie).toMatch(
      new RegExp(
        `^idp_interaction=[A-Za-z0-9_-]+; Path=/interaction/${interaction.id}; Max-Age=600; HttpOnly; SameSite=Lax; Secure$`,
      ),
    );
  });

  it('gives back the interaction for its own id until it expires', () => {
    const { interaction, cookie } = store.start(fields, NOW);
    const header = `${INTERACTION_COOKIE}=${cookieValue(cookie)}`;
    expect(store.find(header, interaction.id, NOW + 599)).toEqual(interaction);
    expect(store.find(header, interaction.id, NOW + 600)).toBeUndefined();
    const other = store.start(fields, NOW).interaction.id;
    expect(store.find(header, other, NOW)).toBeUndefined();
    expect(store.find(undefined, interaction.id, NOW)).toBeUndefined();
    expect(store.find(header, '../etc', NOW)).toBeUndefined();
  });

  it('does not carry what the flow no longer needs (id_token_hint can be 8 KB)', () => {
    expect(pendingOf(request)).not.toHaveProperty('id_token_hint');
    expect(pendingOf(request)).not.toHaveProperty('max_age');
    expect(pendingOf(request)).toHaveProperty('state', 'st');
  });

  it('refuses a request too large for a cookie instead of letting the browser drop it', () => {
    const huge = {
      ...fields,
      request: { ...fields.request, state: 's'.repeat(2048), nonce: 'n'.repeat(2048) },
    };
    expect(() => store.start(huge, NOW)).toThrow(
      expect.objectContaining({
        error: 'invalid_request',
        description: 'the authorization request is too large',
      }),
    );
  });

  it('is not readable by a deployment with another secret', () => {
    const { interaction, cookie } = store.start(fields, NOW);
    const other = new InteractionStore(
      new EdgeConfig(testConfig({ TOKEN_HASH_KEY: Buffer.alloc(32, 9).toString('base64url') })),
    );
    expect(
      other.find(`${INTERACTION_COOKIE}=${cookieValue(cookie)}`, interaction.id, NOW),
    ).toBeUndefined();
  });
});
