import { createLocalJWKSet, jwtVerify, type JWK } from 'jose';
import { generateSigningKey, SIGNING_ALGS, type SigningAlg } from '../signing-keys';
import { verifyOurJwt } from './jwt-verify';
import { BACKCHANNEL_LOGOUT_EVENT, signLogoutToken, type LogoutTokenInput } from './logout-token';
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

const base = (alg: SigningAlg = 'RS256'): LogoutTokenInput => ({
  issuer: ISS,
  aud: 'client-1',
  key: keyOf(alg).signing,
  now: NOW,
});

describe('signLogoutToken (OIDC Back-Channel Logout 1.0, section 2.4)', () => {
  it.each(SIGNING_ALGS)(
    '%s: has exactly the section 2.4 shape and verifies with the public JWK',
    async (alg) => {
      const { token, jti, exp } = await signLogoutToken({
        ...base(alg),
        sub: 'user-1',
        sid: 'sid-1',
      });
      const { payload, protectedHeader } = await jwtVerify(
        token,
        createLocalJWKSet({ keys: [keyOf(alg).publicJwk] }),
        { currentDate: new Date(NOW * 1000), typ: 'logout+jwt' },
      );
      expect(protectedHeader).toEqual({ alg, kid: keyOf(alg).signing.kid, typ: 'logout+jwt' });
      expect(payload).toEqual({
        iss: ISS,
        sub: 'user-1',
        aud: 'client-1',
        iat: NOW,
        exp: NOW + 120,
        jti,
        events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
        sid: 'sid-1',
      });
      expect(exp).toBe(NOW + 120);
      expect(payload).not.toHaveProperty('nonce');
      expect(BACKCHANNEL_LOGOUT_EVENT).toBe('http://schemas.openid.net/event/backchannel-logout');
    },
  );

  it('needs sub or sid, and accepts either alone', async () => {
    await expect(signLogoutToken(base())).rejects.toThrow(/sub or sid/);
    const sidOnly = await signLogoutToken({ ...base(), sid: 'sid-1' });
    const subOnly = await signLogoutToken({ ...base(), sub: 'user-1' });
    const opts = {
      jwks: [keyOf('RS256').publicJwk],
      issuer: ISS,
      typ: 'logout+jwt' as const,
      now: NOW,
    };
    const a = await verifyOurJwt(sidOnly.token, opts);
    const b = await verifyOurJwt(subOnly.token, opts);
    expect(a).toMatchObject({ sid: 'sid-1' });
    expect(a).not.toHaveProperty('sub');
    expect(b).toMatchObject({ sub: 'user-1' });
    expect(b).not.toHaveProperty('sid');
  });

  it('keeps an explicit jti so retries resend the same logout', async () => {
    const first = await signLogoutToken({ ...base(), sid: 's', jti: 'delivery-42' });
    const retry = await signLogoutToken({ ...base(), sid: 's', jti: 'delivery-42', now: NOW + 30 });
    expect(first.jti).toBe('delivery-42');
    expect(retry.jti).toBe('delivery-42');
    const fresh = await signLogoutToken({ ...base(), sid: 's' });
    expect(fresh.jti).not.toBe('delivery-42');
  });

  it('honours a custom lifetime', async () => {
    const { exp } = await signLogoutToken({ ...base(), sid: 's', lifetimeSeconds: 30 });
    expect(exp).toBe(NOW + 30);
  });

  it('is refused where an ID token or an access token is expected', async () => {
    const { token } = await signLogoutToken({ ...base(), sub: 'user-1' });
    const opts = { jwks: [keyOf('RS256').publicJwk], issuer: ISS, now: NOW };
    await expect(verifyOurJwt(token, { ...opts, typ: 'JWT' })).rejects.toMatchObject({
      reason: 'typ',
    });
    await expect(verifyOurJwt(token, { ...opts, typ: 'at+jwt' })).rejects.toMatchObject({
      reason: 'typ',
    });
  });
});
