import { deciderSpec } from '@idp/testing';
import { assertionAlgsFor, CLIENT_SECRET_JWT_ALGS, PRIVATE_KEY_JWT_ALGS } from './assertion-algs';
import { clientDecider } from './client.decider';
import type { ClientCommand } from './client.commands';
import { h, history, meta, register, stateAfter, update, webClient } from './client.fixtures';

const spec = deciderSpec(clientDecider);
/** What `command` appends after `given`, to match partially (deciderSpec compares whole events). */
const appended = (given: ClientCommand[], command: ClientCommand) =>
  clientDecider.decide(command, stateAfter(...given));
const CSJWT = { token_endpoint_auth_method: 'client_secret_jwt' } as const;
const BASIC = { token_endpoint_auth_method: 'client_secret_basic' } as const;
const sealed = (s: string) => ({ secretHash: h(s), sealedSecret: `sealed-${s}` });
const rotate = (s: string, withSealed = true) => ({
  type: 'RotateClientSecret' as const,
  secretHash: h(s),
  ...(withSealed ? { sealedSecret: `sealed-${s}` } : {}),
  meta,
});

/** ADR 0031: a client_secret_jwt client keeps its secret sealed; every other method the hash alone. */
describe('client_secret_jwt in the client aggregate', () => {
  it('registers with the hash and the sealed secret', () => {
    expect(appended([], register(webClient(CSJWT), sealed('s1')))).toMatchObject([
      { type: 'client.registered', data: { secretHash: h('s1'), sealedSecret: 'sealed-s1' } },
    ]);
  });

  it('refuses a client_secret_jwt registration without the sealed secret, or without any secret', () => {
    spec
      .given([])
      .when(register(webClient(CSJWT), { sealedSecret: undefined } as never))
      .thenThrows(/client_secret_jwt requires a client secret/);
    const { secretHash: _h, ...noHash } = register(webClient(CSJWT));
    spec
      .given([])
      .when(noHash)
      .thenThrows(/client_secret_jwt requires a client secret/);
  });

  it('never records a sealed secret for another method', () => {
    const state = stateAfter(register(webClient(BASIC), { sealedSecret: 'sealed-x' }));
    expect(state).not.toHaveProperty('sealedSecret');
    expect(
      history(register(webClient(BASIC), { sealedSecret: 'sealed-x' }))[0]!.data,
    ).not.toHaveProperty('sealedSecret');
  });

  it('rotation carries the new sealed secret, and requires it for client_secret_jwt', () => {
    const registered = history(register(webClient(CSJWT), sealed('s1')));
    expect(appended([register(webClient(CSJWT), sealed('s1'))], rotate('s2'))).toMatchObject([
      { type: 'client.secret_rotated', data: { secretHash: h('s2'), sealedSecret: 'sealed-s2' } },
    ]);
    spec
      .given(registered)
      .when(rotate('s2', false))
      .thenThrows(/requires a client secret/);
    expect(stateAfter(register(webClient(CSJWT), sealed('s1')), rotate('s2'))).toMatchObject({
      secretHash: h('s2'),
      sealedSecret: 'sealed-s2',
    });
  });

  it("rotating another method's secret drops a sealed secret it was given", () => {
    const [rotated] = appended([register(webClient(BASIC))], rotate('s2'));
    expect(rotated).toMatchObject({ type: 'client.secret_rotated', data: { secretHash: h('s2') } });
    expect(rotated!.data).not.toHaveProperty('sealedSecret');
    expect(stateAfter(register(webClient(BASIC)), rotate('s2'))).not.toHaveProperty('sealedSecret');
  });

  it('leaving client_secret_jwt drops the sealed secret and keeps the hash', () => {
    const state = stateAfter(register(webClient(CSJWT), sealed('s1')), update(webClient(BASIC)));
    expect(state).toMatchObject({ secretHash: h('s1') });
    expect(state).not.toHaveProperty('sealedSecret');
  });

  it('switching to client_secret_jwt needs a new sealed secret: the hash alone cannot check an HMAC', () => {
    const basic = history(register(webClient(BASIC)));
    spec
      .given(basic)
      .when(update(webClient(CSJWT)))
      .thenThrows(/client_secret_jwt requires a client secret/);
    expect(
      appended([register(webClient(BASIC))], update(webClient(CSJWT), sealed('s2'))),
    ).toMatchObject([
      { type: 'client.updated' },
      { type: 'client.secret_rotated', data: { secretHash: h('s2'), sealedSecret: 'sealed-s2' } },
    ]);
    // The same secret as before, now sealed: the hash is unchanged but the sealed copy is new.
    expect(
      appended([register(webClient(BASIC))], update(webClient(CSJWT), sealed('secret'))),
    ).toMatchObject([
      { type: 'client.updated' },
      { type: 'client.secret_rotated', data: { sealedSecret: 'sealed-secret' } },
    ]);
  });

  it('an update of a client_secret_jwt client keeps its sealed secret; the same secret again appends nothing', () => {
    const registered = history(register(webClient(CSJWT), sealed('s1')));
    expect(
      appended(
        [register(webClient(CSJWT), sealed('s1'))],
        update(webClient({ ...CSJWT, client_name: 'x' })),
      ),
    ).toMatchObject([{ type: 'client.updated' }]);
    spec
      .given(registered)
      .when(update(webClient(CSJWT), sealed('s1')))
      .thenNothing();
    // A new secret must come sealed.
    spec
      .given(registered)
      .when(update(webClient(CSJWT), { secretHash: h('s3') }))
      .thenThrows(/client_secret_jwt requires a client secret/);
  });

  it("token_endpoint_auth_signing_alg: one of the method's algorithms, and only for assertion methods", () => {
    expect(
      appended(
        [],
        register(webClient({ ...CSJWT, token_endpoint_auth_signing_alg: 'HS384' }), sealed('s')),
      ),
    ).toMatchObject([{ type: 'client.registered' }]);
    for (const [over, message] of [
      [
        { ...CSJWT, token_endpoint_auth_signing_alg: 'RS256' },
        /must be one of HS256, HS384, HS512/,
      ],
      [{ ...CSJWT, token_endpoint_auth_signing_alg: 'none' }, /must be one of HS256/],
      [{ ...BASIC, token_endpoint_auth_signing_alg: 'HS256' }, /applies only to/],
    ] as const)
      spec
        .given([])
        .when(register(webClient(over), sealed('s')))
        .thenThrows(message);
  });
});

describe('assertionAlgsFor', () => {
  it('keeps MACs and signatures apart, never none', () => {
    expect(assertionAlgsFor('client_secret_jwt', undefined)).toEqual(CLIENT_SECRET_JWT_ALGS);
    expect(assertionAlgsFor('private_key_jwt', undefined)).toEqual(PRIVATE_KEY_JWT_ALGS);
    for (const alg of CLIENT_SECRET_JWT_ALGS) expect(PRIVATE_KEY_JWT_ALGS).not.toContain(alg);
    expect([...CLIENT_SECRET_JWT_ALGS, ...PRIVATE_KEY_JWT_ALGS]).not.toContain('none');
  });

  it('narrows to the registered alg, and to nothing when it belongs to the other method', () => {
    expect(assertionAlgsFor('client_secret_jwt', 'HS512')).toEqual(['HS512']);
    expect(assertionAlgsFor('client_secret_jwt', 'RS256')).toEqual([]);
    expect(assertionAlgsFor('private_key_jwt', 'HS256')).toEqual([]);
  });
});
