import {
  SigningKeyActivated,
  SigningKeyGenerated,
  SigningKeyRetired,
  freshEventMeta,
} from '@idp/contracts';
import { deciderSpec } from '@idp/testing';
import { activeKey, keyRingDecider, publishedKeys, type NewKeyMaterial } from './key-ring.decider';
import { fold } from '../decider';

const meta = { now: 1_000, correlationId: 'c1' };
const material = (kid: string, alg: NewKeyMaterial['alg'] = 'ES256'): NewKeyMaterial => ({
  kid,
  alg,
  publicJwk: { kty: 'EC', kid },
  encryptedPrivateJwk: `jwe-${kid}`,
});
const added = (kid: string, alg: NewKeyMaterial['alg'] = 'ES256') => [
  SigningKeyGenerated.create({ ...material(kid, alg), createdAt: 1 }, freshEventMeta('c0')),
  SigningKeyActivated.create({ kid, alg, activatedAt: 1 }, freshEventMeta('c0')),
];
const spec = deciderSpec(keyRingDecider);

describe('key ring decider', () => {
  it('adds and activates the first key for an algorithm', () => {
    spec
      .given([])
      .when({ type: 'AddActiveKey', key: material('k1'), meta })
      .then([
        { type: 'key.generated', data: { ...material('k1'), createdAt: 1_000 } },
        { type: 'key.activated', data: { kid: 'k1', alg: 'ES256', activatedAt: 1_000 } },
      ]);
  });

  it('does nothing when the algorithm already has an active key (idempotent start-up)', () => {
    spec
      .given(added('k1'))
      .when({ type: 'AddActiveKey', key: material('k2'), meta })
      .thenNothing();
  });

  it('keeps one active key per algorithm independently', () => {
    spec
      .given(added('k1', 'ES256'))
      .when({ type: 'AddActiveKey', key: material('k2', 'RS256'), meta })
      .then([{ type: 'key.generated' }, { type: 'key.activated' }]);
  });

  it('rotates: the new key becomes active and the old one is retired with a grace period', () => {
    spec
      .given(added('k1'))
      .when({ type: 'RotateKey', key: material('k2'), retiredKeyGraceSeconds: 3600, meta })
      .then([
        { type: 'key.generated' },
        { type: 'key.activated', data: { kid: 'k2', alg: 'ES256', activatedAt: 1_000 } },
        { type: 'key.retired', data: { kid: 'k1', retiredAt: 1_000, publishUntil: 4_600 } },
      ]);
  });

  it('refuses a kid that is already in the ring', () => {
    spec
      .given(added('k1'))
      .when({ type: 'RotateKey', key: material('k1'), retiredKeyGraceSeconds: 1, meta })
      .thenThrows(/kid already/);
  });

  it('remembers when each key became active (the signing-key age metric)', () => {
    const events = [
      ...added('k1'),
      SigningKeyGenerated.create({ ...material('k2'), createdAt: 40 }, freshEventMeta('c')),
      SigningKeyActivated.create({ kid: 'k2', alg: 'ES256', activatedAt: 50 }, freshEventMeta('c')),
    ].map((e, i) => ({ ...e, stream: 'key-ring', streamVersion: i + 1 }));
    const state = fold(keyRingDecider, events as never);
    expect(state.keys.get('k1')?.activatedAt).toBe(1);
    expect(state.keys.get('k2')?.activatedAt).toBe(50);
  });

  it('publishes retired keys only until their grace period ends', () => {
    const events = [
      ...added('k1'),
      ...added('k2').slice(0, 1),
      SigningKeyRetired.create(
        { kid: 'k1', retiredAt: 10, publishUntil: 100 },
        freshEventMeta('c'),
      ),
    ].map((e, i) => ({ ...e, stream: 'key-ring', streamVersion: i + 1 }));
    const state = fold(keyRingDecider, events as never);
    expect(activeKey(state, 'ES256')).toBeUndefined();
    expect(publishedKeys(state, 50).map((k) => k.kid)).toEqual(['k1']);
    expect(publishedKeys(state, 100)).toEqual([]);
  });
});
