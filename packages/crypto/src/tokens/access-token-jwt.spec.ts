import { createLocalJWKSet, jwtVerify, type JWK, type JWTPayload } from 'jose';
import { generateSigningKey, SIGNING_ALGS, type SigningAlg } from '../signing-keys';
import { signAccessTokenJwt, type AccessTokenJwtInput } from './access-token-jwt';
import { ReservedClaimError } from './claims';
import { signIdToken } from './id-token';
import { verifyOurJwt } from './jwt-verify';
import { importTokenSigningKey, type TokenSigningKey } from './signing-key';

const NOW = 1_900_000_000;
const ISS = 'https://op.example.com';
const ID_TOKEN_ONLY = ['nonce', 'at_hash', 'c_hash', 's_hash', 'azp'];

const keys = new Map<SigningAlg, { signing: TokenSigningKey; publicJwk: JWK }>();
beforeAll(async () => {
  for (const alg of SIGNING_ALGS) {
    const g = await generateSigningKey(alg);
    keys.set(alg, { signing: await importTokenSigningKey(g.privateJwk), publicJwk: g.publicJwk });
  }
});
const keyOf = (alg: SigningAlg) => keys.get(alg)!;

function base(alg: SigningAlg = 'RS256'): AccessTokenJwtInput {
  return {
    issuer: ISS,
    sub: 'user-1',
    clientId: 'client-1',
    aud: 'https://api.example.com',
    scope: 'openid profile orders:read',
    lifetimeSeconds: 600,
    now: NOW,
    key: keyOf(alg).signing,
  };
}

const claimsOf = (token: string): JWTPayload =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));

describe('signAccessTokenJwt (RFC 9068)', () => {
  it.each(SIGNING_ALGS)(
    '%s: signs an at+jwt that jose verifies with the public JWK only',
    async (alg) => {
      const { token, jti, exp } = await signAccessTokenJwt({
        ...base(alg),
        authTime: NOW - 30,
        acr: '1',
        amr: ['pwd'],
        sid: 'sid-1',
        extraClaims: { roles: ['admin'], groups: ['ops'], tenant: 't-1' },
      });
      const { payload, protectedHeader } = await jwtVerify(
        token,
        createLocalJWKSet({ keys: [keyOf(alg).publicJwk] }),
        { currentDate: new Date(NOW * 1000), typ: 'at+jwt' },
      );
      expect(protectedHeader).toEqual({ alg, kid: keyOf(alg).signing.kid, typ: 'at+jwt' });
      expect(payload).toEqual({
        iss: ISS,
        sub: 'user-1',
        aud: 'https://api.example.com',
        client_id: 'client-1',
        scope: 'openid profile orders:read',
        exp: NOW + 600,
        iat: NOW,
        jti,
        auth_time: NOW - 30,
        acr: '1',
        amr: ['pwd'],
        sid: 'sid-1',
        roles: ['admin'],
        groups: ['ops'],
        tenant: 't-1',
      });
      expect(exp).toBe(NOW + 600);
      for (const claim of ID_TOKEN_ONLY) expect(payload).not.toHaveProperty(claim);
    },
  );

  it('uses the client_id as sub when there is no resource owner (client_credentials, RFC 9068 2.2)', async () => {
    const { token } = await signAccessTokenJwt({ ...base(), sub: null, scope: '' });
    const claims = claimsOf(token);
    expect(claims.sub).toBe('client-1');
    expect(claims.client_id).toBe('client-1');
    expect(claims).not.toHaveProperty('scope');
    expect(Object.keys(claims).sort()).toEqual([
      'aud',
      'client_id',
      'exp',
      'iat',
      'iss',
      'jti',
      'sub',
    ]);
  });

  it('keeps several audiences as an array and refuses none', async () => {
    const { token } = await signAccessTokenJwt({ ...base(), aud: ['https://a', 'https://b'] });
    expect(claimsOf(token).aud).toEqual(['https://a', 'https://b']);
    await expect(signAccessTokenJwt({ ...base(), aud: [] })).rejects.toThrow(/aud/);
    await expect(signAccessTokenJwt({ ...base(), aud: '' })).rejects.toThrow(/aud/);
  });

  it.each([
    ...ID_TOKEN_ONLY,
    'iss',
    'sub',
    'aud',
    'exp',
    'iat',
    'nbf',
    'jti',
    'client_id',
    'scope',
    'auth_time',
    'acr',
    'amr',
    'sid',
    'cnf',
    'events',
  ])('refuses a configured extra claim named %s', async (claim) => {
    const attempt = signAccessTokenJwt({ ...base(), extraClaims: { roles: [], [claim]: 'x' } });
    await expect(attempt).rejects.toBeInstanceOf(ReservedClaimError);
  });

  it('is never the ID token of the same request, and neither passes for the other', async () => {
    const key = keyOf('RS256');
    const shared = {
      issuer: ISS,
      sub: 'user-1',
      now: NOW,
      key: key.signing,
      authTime: NOW,
      sid: 's',
    };
    const at = await signAccessTokenJwt({
      ...shared,
      clientId: 'client-1',
      aud: 'client-1',
      lifetimeSeconds: 300,
    });
    const id = await signIdToken({
      ...shared,
      aud: 'client-1',
      nonce: 'n',
      accessToken: at.token,
      lifetimeSeconds: 300,
    });
    expect(at.token).not.toBe(id.token);
    expect(at.jti).not.toBe(id.jti);
    for (const claim of ID_TOKEN_ONLY) expect(claimsOf(at.token)).not.toHaveProperty(claim);

    const opts = { jwks: [key.publicJwk], issuer: ISS, now: NOW };
    await expect(verifyOurJwt(at.token, { ...opts, typ: 'at+jwt' })).resolves.toMatchObject({
      sub: 'user-1',
    });
    await expect(verifyOurJwt(id.token, { ...opts, typ: 'JWT' })).resolves.toMatchObject({
      nonce: 'n',
    });
    await expect(verifyOurJwt(id.token, { ...opts, typ: 'at+jwt' })).rejects.toMatchObject({
      reason: 'typ',
    });
    await expect(verifyOurJwt(at.token, { ...opts, typ: 'JWT' })).rejects.toMatchObject({
      reason: 'typ',
    });
  });

  it('refuses to guess a missing subject or client', async () => {
    await expect(signAccessTokenJwt({ ...base(), sub: '' })).rejects.toThrow(/sub/);
    await expect(signAccessTokenJwt({ ...base(), clientId: '' })).rejects.toThrow(/clientId/);
  });
});
