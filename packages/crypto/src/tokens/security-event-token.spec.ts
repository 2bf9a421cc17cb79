import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JWK } from 'jose';
import { generateSigningKey, SIGNING_ALGS, type SigningAlg } from '../signing-keys';
import {
  SECEVENT_TYP,
  signSecurityEventToken,
  type SecurityEventInput,
} from './security-event-token';
import { importTokenSigningKey, type TokenSigningKey } from './signing-key';

const NOW = 1_900_000_000;
const ISS = 'https://op.example.com';
const SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';

const keys = new Map<SigningAlg, { signing: TokenSigningKey; publicJwk: JWK }>();
beforeAll(async () => {
  for (const alg of SIGNING_ALGS) {
    const g = await generateSigningKey(alg);
    keys.set(alg, { signing: await importTokenSigningKey(g.privateJwk), publicJwk: g.publicJwk });
  }
});

const input = (alg: SigningAlg = 'RS256'): SecurityEventInput => ({
  issuer: ISS,
  aud: 'receiver-1',
  jti: 'set-jti-1',
  iat: NOW,
  txn: 'event-id-1',
  subId: {
    format: 'complex',
    user: { format: 'iss_sub', iss: ISS, sub: 'user-1' },
    session: { format: 'opaque', id: 'sid-1' },
  },
  events: { [SESSION_REVOKED]: { event_timestamp: NOW } },
  key: keys.get(alg)!.signing,
});

describe('signSecurityEventToken (RFC 8417, SSF 1.0)', () => {
  it.each(SIGNING_ALGS)('%s: typ secevent+jwt and exactly the SSF claims', async (alg) => {
    const token = await signSecurityEventToken(input(alg));
    const { payload, protectedHeader } = await jwtVerify(
      token,
      createLocalJWKSet({ keys: [keys.get(alg)!.publicJwk] }),
      { typ: SECEVENT_TYP, issuer: ISS, audience: 'receiver-1' },
    );
    expect(protectedHeader).toEqual({ alg, kid: keys.get(alg)!.signing.kid, typ: 'secevent+jwt' });
    expect(payload).toEqual({
      iss: ISS,
      aud: 'receiver-1',
      iat: NOW,
      jti: 'set-jti-1',
      txn: 'event-id-1',
      sub_id: input(alg).subId,
      events: { [SESSION_REVOKED]: { event_timestamp: NOW } },
    });
    // Never an ID or access token look-alike.
    expect(payload).not.toHaveProperty('sub');
    expect(payload).not.toHaveProperty('exp');
  });

  it('is the same SET on every retry: jti and iat come from the delivery, not the clock', async () => {
    const first = await signSecurityEventToken(input());
    const again = await signSecurityEventToken(input());
    // RS256 (PKCS#1 v1.5) is deterministic: same claims, same bytes.
    expect(again).toBe(first);
    expect(decodeProtectedHeader(first).typ).toBe('secevent+jwt');
  });

  it('omits txn when the SET has no originating event (verification)', async () => {
    const { txn: _txn, ...noTxn } = input();
    const token = await signSecurityEventToken(noTxn);
    const { payload } = await jwtVerify(
      token,
      createLocalJWKSet({ keys: [keys.get('RS256')!.publicJwk] }),
    );
    expect(payload).not.toHaveProperty('txn');
  });

  it.each([
    ['no event', { events: {} }],
    ['two events', { events: { a: {}, b: {} } }],
    ['a subject without format', { subId: { sub: 'x' } }],
    ['an empty aud', { aud: '' }],
    ['an empty jti', { jti: '' }],
    ['milliseconds for iat', { iat: Date.now() * 1000 }],
  ])('refuses %s', async (_what, change) => {
    await expect(signSecurityEventToken({ ...input(), ...change })).rejects.toThrow();
  });
});
