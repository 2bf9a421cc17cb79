import { clientMetadata } from '@idp/contracts';
import { deciderSpec } from '@idp/testing';
import { clientDecider } from './client.decider';
import {
  errorBody,
  h,
  history,
  meta,
  nativeClient,
  register,
  stateAfter,
  update,
  webClient,
} from './client.fixtures';

const spec = deciderSpec(clientDecider);
const registered = history(register(webClient()));

describe('client decider', () => {
  it('registers a client with the schema defaults filled in', () => {
    spec
      .given([])
      .when(register(webClient()))
      .then([
        {
          type: 'client.registered',
          data: {
            clientId: 'rp',
            metadata: clientMetadata.parse(webClient()),
            secretHash: h('secret'),
            source: 'admin',
            issuedAt: meta.now,
          },
        },
      ]);
  });

  it('keeps the hash of a registration access token (RFC 7592 3) and the issue time', () => {
    const state = stateAfter(
      register(webClient(), { source: 'dynamic_registration', registrationTokenHash: h('rat') }),
    );
    expect(state).toMatchObject({
      status: 'registered',
      registrationTokenHash: h('rat'),
      issuedAt: meta.now,
    });
    // An RFC 7592 update replaces the metadata, never the registration access token.
    const updated = stateAfter(
      register(webClient(), { source: 'dynamic_registration', registrationTokenHash: h('rat') }),
      update(webClient({ client_name: 'renamed' }), { source: 'dynamic_registration' }),
    );
    expect(updated).toMatchObject({ registrationTokenHash: h('rat') });
  });

  it('never registers a client_id twice, even after deletion', () => {
    const taken = {
      error: 'invalid_client_metadata',
      error_description: 'client_id rp is already registered',
      status: 400,
    };
    for (const given of [
      [register(webClient())],
      [register(webClient()), { type: 'DeleteClient', meta } as const],
    ])
      expect(
        errorBody(() => clientDecider.decide(register(webClient()), stateAfter(...given))),
      ).toEqual(taken);
  });

  it('does not let a self-registered client skip consent or pull user attributes', () => {
    const dynamic = { source: 'dynamic_registration' } as const;
    expect(
      errorBody(() =>
        clientDecider.decide(register(webClient({ skip_consent: true }), dynamic), {
          status: 'unregistered',
        }),
      ),
    ).toEqual({
      error: 'invalid_client_metadata',
      error_description: 'skip_consent can only be set by an operator',
      status: 400,
    });
    spec
      .given([])
      .when(register(webClient({ access_token_claims: ['roles'] }), dynamic))
      .thenThrows(/only be set by an operator/);
    spec
      .given([])
      .when(register(webClient({ access_token_claims: ['roles'] })))
      .then([{ type: 'client.registered' }]);
  });

  it('does not let a self-registered client give itself the admin API scopes (ADR 0017)', () => {
    const dynamic = { source: 'dynamic_registration' } as const;
    for (const scope of ['openid idp:admin', 'idp:admin.read'])
      spec
        .given([])
        .when(register(webClient({ scope }), dynamic))
        .thenThrows(
          /scope idp:admin, idp:admin.read, ssf:manage, ssf:read can only be granted by an operator/,
        );
    spec
      .given([])
      .when(register(webClient({ scope: 'openid idp:admin' })))
      .then([{ type: 'client.registered' }]);
  });

  it('does not let a self-registered client give itself the Shared Signals scopes (ADR 0036)', () => {
    const dynamic = { source: 'dynamic_registration' } as const;
    for (const scope of ['ssf:manage', 'openid ssf:read'])
      spec
        .given([])
        .when(register(webClient({ scope }), dynamic))
        .thenThrows(/ssf:manage, ssf:read can only be granted by an operator/);
    spec
      .given([])
      .when(register(webClient({ scope: 'ssf:manage ssf:read' })))
      .then([{ type: 'client.registered' }]);
  });

  describe('RotateClientSecret', () => {
    const rotate = (secretHash: string) =>
      ({ type: 'RotateClientSecret', secretHash, meta }) as const;

    it('records the new secret hash, once', () => {
      spec
        .given(registered)
        .when(rotate(h('s2')))
        .then([{ type: 'client.secret_rotated', data: { clientId: 'rp', secretHash: h('s2') } }]);
      spec
        .given(registered)
        .when(rotate(h('secret')))
        .thenNothing();
    });

    it('refuses a public client and an unknown one', () => {
      spec
        .given(history(register(nativeClient())))
        .when(rotate(h('s2')))
        .thenThrows(/public client .* has no secret/);
      spec
        .given([])
        .when(rotate(h('s2')))
        .thenThrows(/no such client/);
    });
  });

  it('deletes idempotently', () => {
    spec
      .given(registered)
      .when({ type: 'DeleteClient', meta })
      .then([{ type: 'client.deleted', data: { clientId: 'rp' } }]);
    spec
      .given(history(register(webClient()), { type: 'DeleteClient', meta }))
      .when({ type: 'DeleteClient', meta })
      .thenNothing();
    spec.given([]).when({ type: 'DeleteClient', meta }).thenNothing();
  });
});
