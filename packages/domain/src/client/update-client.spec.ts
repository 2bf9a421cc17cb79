import { clientMetadata } from '@idp/contracts';
import { deciderSpec } from '@idp/testing';
import { DomainRuleError } from '../decider';
import { clientDecider } from './client.decider';
import {
  h,
  history,
  nativeClient,
  register,
  stateAfter,
  update,
  webClient,
} from './client.fixtures';

const spec = deciderSpec(clientDecider);
const registered = history(register(webClient()));

describe('UpdateClient', () => {
  it('replaces the metadata', () => {
    const next = webClient({ client_name: 'RP' });
    spec
      .given(registered)
      .when(update(next))
      .then([
        {
          type: 'client.updated',
          data: { clientId: 'rp', metadata: clientMetadata.parse(next) },
        },
      ]);
  });

  it('appends nothing when nothing changes', () => {
    spec.given(registered).when(update(webClient())).thenNothing();
  });

  it('lets a dynamic client repeat operator settings but not change them', () => {
    const withRoles = history(register(webClient({ access_token_claims: ['roles'] })));
    const dynamic = { source: 'dynamic_registration' } as const;
    spec
      .given(withRoles)
      .when(update(webClient({ access_token_claims: ['roles'], client_name: 'x' }), dynamic))
      .then([{ type: 'client.updated' }]);
    spec
      .given(withRoles)
      .when(update(webClient(), dynamic))
      .thenThrows(/access_token_claims can only be set by an operator/);
  });

  it('lets a dynamic client keep, but never add, the admin API scopes an operator gave it', () => {
    const dynamic = { source: 'dynamic_registration' } as const;
    spec
      .given(registered)
      .when(update(webClient({ scope: 'openid idp:admin.read' }), dynamic))
      .thenThrows(/can only be granted by an operator/);
    const granted = history(register(webClient({ scope: 'openid idp:admin.read' })));
    spec
      .given(granted)
      .when(update(webClient({ scope: 'idp:admin.read openid', client_name: 'x' }), dynamic))
      .then([{ type: 'client.updated' }]);
    spec
      .given(granted)
      .when(update(webClient({ scope: 'openid idp:admin' }), dynamic))
      .thenThrows(/can only be granted by an operator/);
  });

  it('refuses to change the client_id', () => {
    spec
      .given(registered)
      .when(update(webClient({ client_id: 'other' })))
      .thenThrows(/client_id cannot be changed/);
  });

  it('needs a secret to turn a public client confidential, and records it', () => {
    const app = history(register(nativeClient({ client_id: 'rp' })));
    const confidential = nativeClient({
      client_id: 'rp',
      token_endpoint_auth_method: 'client_secret_basic',
      redirect_uris: ['https://rp.example/cb'],
    });
    spec
      .given(app)
      .when(update(confidential))
      .thenThrows(/requires a client secret/);
    spec
      .given(app)
      .when(update(confidential, { secretHash: h('s2') }))
      .then([
        { type: 'client.updated' },
        { type: 'client.secret_rotated', data: { clientId: 'rp', secretHash: h('s2') } },
      ]);
  });

  it('drops the secret when a client becomes public', () => {
    const state = stateAfter(
      register(webClient()),
      update(webClient({ token_endpoint_auth_method: 'none' })),
    );
    expect(state).not.toHaveProperty('secretHash');
  });

  it('fails with client.not_found for an unknown client', () => {
    spec.given([]).when(update(webClient())).thenThrows(DomainRuleError);
  });
});
