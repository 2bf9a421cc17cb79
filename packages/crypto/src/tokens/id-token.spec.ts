import { createHash, createSecretKey } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JWK } from 'jose';
import { generateSigningKey, SIGNING_ALGS, type SigningAlg } from '../signing-keys';
import { ReservedClaimError } from './claims';
import { signIdToken, type IdTokenInput } from './id-token';
import { importTokenSigningKey, type TokenSigningKey } from './signing-key';

const NOW = 1_900_000_000;
const ISS = 'https://op.example.com';

const keys = new Map<SigningAlg, { signing: TokenSigningKey; publicJwk: JWK }>();
beforeAll(async () => {
  for (const alg of SIGNING_ALGS) {
    const g = await generateSigningKey(alg);
    keys.set(alg, { signing: await importTokenSigningKey(g.privateJwk), publicJwk: g.publicJwk });
  }
});
const keyOf = (alg: SigningAlg) => keys.get(alg)!;

/** Independent at_hash: SHA-256 for the *256 algs, SHA-512 for EdDSA/Ed25519. */
function expectedHalf(value: string, alg: SigningAlg): string {
  const d = createHash(alg === 'EdDSA' ? 'sha512' : 'sha256')
    .update(value)
    .digest();
  return d.subarray(0, d.length / 2).toString('base64url');
}

function base(alg: SigningAlg = 'RS256'): IdTokenInput {
  return {
    issuer: ISS,
    sub: 'user-1',
    aud: 'client-1',
    lifetimeSeconds: 300,
    now: NOW,
    key: keyOf(alg).signing,
  };
}

describe('signIdToken', () => {
  it.each(SIGNING_ALGS)(
    '%s: signs a full ID token that jose verifies with the public JWK only',
    async (alg) => {
      const { token, jti, exp } = await signIdToken({
        ...base(alg),
        azp: 'client-1',
        nonce: 'n-0S6_WzA2Mj',
        authTime: NOW - 60,
        acr: 'urn:mace:incommon:iap:silver',
        amr: ['pwd', 'otp'],
        sid: 'sid-1',
        accessToken: 'at_access',
        code: 'ac_code',
        state: 'af0ifjsldkj',
      });
      const jwks = createLocalJWKSet({ keys: [keyOf(alg).publicJwk] });
      const { payload, protectedHeader } = await jwtVerify(token, jwks, {
        currentDate: new Date(NOW * 1000),
      });
      expect(protectedHeader).toEqual({ alg, kid: keyOf(alg).signing.kid, typ: 'JWT' });
      expect(payload).toEqual({
        iss: ISS,
        sub: 'user-1',
        aud: 'client-1',
        exp: NOW + 300,
        iat: NOW,
        auth_time: NOW - 60,
        nonce: 'n-0S6_WzA2Mj',
        azp: 'client-1',
        at_hash: expectedHalf('at_access', alg),
        c_hash: expectedHalf('ac_code', alg),
        s_hash: expectedHalf('af0ifjsldkj', alg),
        sid: 'sid-1',
        amr: ['pwd', 'otp'],
        acr: 'urn:mace:incommon:iap:silver',
        jti,
      });
      expect(exp).toBe(NOW + 300);
    },
  );

  it('carries only the claims that were given, and a fresh jti each time', async () => {
    const a = await signIdToken(base());
    const b = await signIdToken(base());
    const { payload } = await jwtVerify(
      a.token,
      createLocalJWKSet({ keys: [keyOf('RS256').publicJwk] }),
      {
        currentDate: new Date(NOW * 1000),
      },
    );
    expect(Object.keys(payload).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'sub']);
    expect(a.jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(a.jti).not.toBe(b.jti);
    await expect(signIdToken({ ...base(), jti: 'fixed' })).resolves.toMatchObject({ jti: 'fixed' });
  });

  it('adds released userinfo claims (implicit flow)', async () => {
    const { token } = await signIdToken({
      ...base(),
      extraClaims: { email: 'a@example.com', email_verified: true, name: 'Alice' },
    });
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    expect(payload).toMatchObject({
      email: 'a@example.com',
      email_verified: true,
      name: 'Alice',
      sub: 'user-1',
    });
  });

  it.each([
    'iss',
    'sub',
    'aud',
    'exp',
    'iat',
    'nbf',
    'jti',
    'nonce',
    'auth_time',
    'azp',
    'at_hash',
    'c_hash',
    's_hash',
    'sid',
    'acr',
    'amr',
    'client_id',
    'scope',
    'events',
    'cnf',
  ])('refuses an extra claim that would override %s', async (claim) => {
    const attempt = signIdToken({ ...base(), extraClaims: { name: 'x', [claim]: 'evil' } });
    await expect(attempt).rejects.toBeInstanceOf(ReservedClaimError);
    await expect(attempt).rejects.toThrow(claim);
  });

  it('refuses keys that are not one of our asymmetric signing keys', async () => {
    const hmac = { kid: 'k', alg: 'HS256', privateKey: createSecretKey(Buffer.alloc(32, 1)) };
    await expect(
      signIdToken({ ...base(), key: hmac as unknown as TokenSigningKey }),
    ).rejects.toThrow(/alg/);
    const none = { ...keyOf('RS256').signing, alg: 'none' };
    await expect(
      signIdToken({ ...base(), key: none as unknown as TokenSigningKey }),
    ).rejects.toThrow(/alg/);
  });

  it('refuses nonsense inputs instead of minting a broken token', async () => {
    await expect(signIdToken({ ...base(), sub: '' })).rejects.toThrow(/sub/);
    await expect(signIdToken({ ...base(), lifetimeSeconds: 0 })).rejects.toThrow(/lifetime/);
    await expect(signIdToken({ ...base(), now: NOW + 0.5 })).rejects.toThrow(/epoch seconds/);
    await expect(signIdToken({ ...base(), now: Date.now() })).rejects.toThrow(/epoch seconds/);
  });

  it('signs with the header the key ring names', async () => {
    const { token } = await signIdToken(base('ES256'));
    expect(decodeProtectedHeader(token)).toEqual({
      alg: 'ES256',
      kid: keyOf('ES256').signing.kid,
      typ: 'JWT',
    });
  });
});

describe('importTokenSigningKey', () => {
  it('refuses public, symmetric, kid-less and Ed448 JWKs', async () => {
    const g = await generateSigningKey('ES256');
    await expect(importTokenSigningKey(g.publicJwk)).rejects.toThrow(/private/);
    const { kid: _kid, ...kidless } = g.privateJwk;
    await expect(importTokenSigningKey(kidless)).rejects.toThrow(/kid/);
    await expect(
      importTokenSigningKey({ kty: 'oct', k: 'AAAA', kid: 'h', alg: 'HS256' }),
    ).rejects.toThrow(/alg/);
    await expect(
      importTokenSigningKey({ kty: 'OKP', crv: 'Ed448', d: 'x', x: 'y', kid: 'e', alg: 'EdDSA' }),
    ).rejects.toThrow(/Ed25519/);
  });
});
