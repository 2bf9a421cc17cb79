import { generateKeyPairSync } from 'node:crypto';
import { freshEventMeta, ResourceRegistered, TOPICS, topicForStream } from '@idp/contracts';
import { deciderSpec, specMeta } from '@idp/testing';
import { resourceStream } from '../streams';
import { resourceDecider, resourceIdOf, type ResourceCommand } from './resource.decider';

const meta = specMeta(1_700_000_000, 'c-1');
const API = 'https://api.example.test';

function rsaJwk(bits = 2048, extra: Record<string, unknown> = {}) {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return { ...publicKey.export({ format: 'jwk' }), use: 'enc', alg: 'RSA-OAEP-256', ...extra };
}
const rsa = rsaJwk(2048, { kid: 'rs-1' });
const register = (keys: Record<string, unknown>[] = [rsa]): ResourceCommand => ({
  type: 'RegisterResource',
  resource: API,
  jwks: { keys },
  source: 'seed',
  meta,
});
const update = (keys: Record<string, unknown>[], fmt?: 'jwe'): ResourceCommand => ({
  type: 'UpdateResource',
  resource: API,
  jwks: { keys },
  ...(fmt ? { accessTokenFormat: fmt } : {}),
  source: 'admin',
  meta,
});
const registered = (cmd: ResourceCommand = register()) =>
  resourceDecider.decide(cmd, resourceDecider.initialState());

describe('resource decider', () => {
  const spec = deciderSpec(resourceDecider);

  it('registers a resource server with its public key, under a stream named by the URI hash', () => {
    spec
      .given([])
      .when(register())
      .then([
        {
          type: 'resource.registered',
          data: {
            resourceId: resourceIdOf(API),
            resource: API,
            jwks: { keys: [rsa] },
            source: 'seed',
          },
        },
      ]);
    expect(resourceStream(API)).toMatch(/^resource-[A-Za-z0-9_-]{43}$/);
    expect(topicForStream(resourceStream(API))).toBe(TOPICS.resource);
  });

  it('appends nothing for an unchanged definition and an update for a rotated key', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
      format: 'jwk',
    });
    const ecJwk = { ...ec, use: 'enc', alg: 'ECDH-ES+A256KW', kid: 'rs-2' };
    spec
      .given(registered())
      .when(update([{ ...rsa }]))
      .thenNothing();
    spec
      .given(registered())
      .when(update([ecJwk, rsa]))
      .then([{ type: 'resource.updated' }]);
    spec
      .given(registered())
      .when(update([rsa], 'jwe'))
      .then([{ type: 'resource.updated' }]);
  });

  it('refuses to register twice or to update an unknown resource', () => {
    spec
      .given(registered())
      .when(register())
      .thenThrows(/already registered/);
    spec
      .given([])
      .when(update([rsa]))
      .thenThrows(/not registered/);
  });

  it.each([
    ['a private key', { ...rsa, d: 'AQAB' }, /must be a public key \(found "d"\)/],
    ['a symmetric key', { kty: 'oct', k: 'c2VjcmV0', use: 'enc', alg: 'A256KW' }, /public key/],
    ['a signing key', { ...rsa, use: 'sig' }, /use must be "enc"/],
    ['RSA1_5', { ...rsa, alg: 'RSA1_5' }, /alg must be one of/],
    ['an EC alg on an RSA key', { ...rsa, alg: 'ECDH-ES' }, /needs a EC key/],
    ['a 1024-bit RSA key', rsaJwk(1024), /at least 2048 bits/],
  ])('refuses %s', (_, key, message) => {
    spec
      .given([])
      .when(register([key]))
      .thenThrows(message);
  });

  it('refuses a resource URI that RFC 8707 does not allow', () => {
    for (const resource of ['api.example.test', 'https://api.example.test/#frag'])
      spec
        .given([])
        .when({ ...register(), resource } as ResourceCommand)
        .thenThrows(/resource must/);
  });

  it('never lets an event carry private key material, even if the decider were bypassed', () => {
    const data = { resourceId: 'x', resource: API, source: 'seed' as const };
    expect(() =>
      ResourceRegistered.create(
        { ...data, jwks: { keys: [{ ...rsa, d: 'AQAB' }] } } as never,
        freshEventMeta('c'),
      ),
    ).toThrow(/invalid resource.registered/);
  });
});
