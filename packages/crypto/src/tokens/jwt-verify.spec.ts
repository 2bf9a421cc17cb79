import { createHmac } from 'node:crypto';
import { SignJWT, type JWK } from 'jose';
import { generateSigningKey, SIGNING_ALGS, type SigningAlg } from '../signing-keys';
import { signAccessTokenJwt } from './access-token-jwt';
import { signIdToken } from './id-token';
import { verifyOurJwt, type VerifyOurJwtOptions } from './jwt-verify';
import { signLogoutToken } from './logout-token';
import { importTokenSigningKey, type TokenSigningKey } from './signing-key';
import { TokenVerificationError } from './token-verification-error';

const NOW = 1_900_000_000;
const ISS = 'https://op.example.com';
const API = 'https://api.example.com';

const keys = new Map<SigningAlg, { signing: TokenSigningKey; publicJwk: JWK }>();
let jwks: JWK[];
let foreign: TokenSigningKey;
beforeAll(async () => {
  for (const alg of SIGNING_ALGS) {
    const g = await generateSigningKey(alg);
    keys.set(alg, { signing: await importTokenSigningKey(g.privateJwk), publicJwk: g.publicJwk });
  }
  jwks = SIGNING_ALGS.map((alg) => keys.get(alg)!.publicJwk);
  foreign = await importTokenSigningKey((await generateSigningKey('RS256')).privateJwk);
});
const keyOf = (alg: SigningAlg) => keys.get(alg)!.signing;
const opts = (over: Partial<VerifyOurJwtOptions> = {}): VerifyOurJwtOptions => ({
  jwks,
  issuer: ISS,
  typ: 'at+jwt',
  audience: API,
  now: NOW,
  ...over,
});
const accessToken = (
  over: { key?: TokenSigningKey; now?: number; lifetimeSeconds?: number } = {},
) =>
  signAccessTokenJwt({
    issuer: ISS,
    sub: 'user-1',
    clientId: 'client-1',
    aud: API,
    scope: 'read',
    lifetimeSeconds: over.lifetimeSeconds ?? 300,
    now: over.now ?? NOW,
    key: over.key ?? keyOf('RS256'),
  }).then((t) => t.token);

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const claims = {
  iss: ISS,
  sub: 'user-1',
  aud: API,
  client_id: 'c',
  exp: NOW + 300,
  iat: NOW,
  jti: 'j',
};

async function reason(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TokenVerificationError);
  return (err as TokenVerificationError).reason;
}

describe('verifyOurJwt', () => {
  it.each(SIGNING_ALGS)('accepts a %s access token against the whole JWKS', async (alg) => {
    const payload = await verifyOurJwt(await accessToken({ key: keyOf(alg) }), opts());
    expect(payload).toMatchObject({
      sub: 'user-1',
      client_id: 'client-1',
      aud: API,
      scope: 'read',
    });
  });

  it('enforces typ both ways: ID token vs access token vs logout token', async () => {
    const k = keyOf('ES256');
    const id = (
      await signIdToken({ issuer: ISS, sub: 'u', aud: API, lifetimeSeconds: 60, now: NOW, key: k })
    ).token;
    const at = await accessToken({ key: k });
    const logout = (await signLogoutToken({ issuer: ISS, aud: API, sid: 's', now: NOW, key: k }))
      .token;
    expect(await reason(verifyOurJwt(id, opts({ typ: 'at+jwt' })))).toBe('typ');
    expect(await reason(verifyOurJwt(at, opts({ typ: 'JWT' })))).toBe('typ');
    expect(await reason(verifyOurJwt(logout, opts({ typ: 'JWT' })))).toBe('typ');
    expect(await reason(verifyOurJwt(id, opts({ typ: 'logout+jwt' })))).toBe('typ');
    await expect(verifyOurJwt(id, opts({ typ: 'JWT' }))).resolves.toMatchObject({ sub: 'u' });
  });

  it('accepts the application/at+jwt spelling RFC 9068 section 4 allows', async () => {
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: keyOf('RS256').kid, typ: 'application/at+jwt' })
      .sign(keyOf('RS256').privateKey);
    await expect(verifyOurJwt(token, opts())).resolves.toMatchObject({ jti: 'j' });
  });

  it("rejects alg 'none'", async () => {
    const none = `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(claims)}.`;
    expect(await reason(verifyOurJwt(none, opts()))).toBe('alg');
  });

  it('rejects HS256, including one keyed with our public key (alg confusion)', async () => {
    const pub = keys.get('RS256')!.publicJwk;
    const input = `${b64({ alg: 'HS256', typ: 'at+jwt', kid: pub.kid })}.${b64(claims)}`;
    for (const secret of [
      Buffer.from(String(pub.n), 'base64url'),
      Buffer.from(JSON.stringify(pub)),
    ]) {
      const sig = createHmac('sha256', secret).update(input).digest('base64url');
      expect(await reason(verifyOurJwt(`${input}.${sig}`, opts()))).toBe('alg');
    }
  });

  it('rejects an alg outside the caller allow-list', async () => {
    const token = await accessToken({ key: keyOf('ES256') });
    expect(await reason(verifyOurJwt(token, opts({ algorithms: ['RS256'] })))).toBe('alg');
  });

  it('rejects expired tokens, with a small clock tolerance', async () => {
    const token = await accessToken({ lifetimeSeconds: 60 });
    await expect(verifyOurJwt(token, opts({ now: NOW + 62 }))).resolves.toBeDefined();
    expect(await reason(verifyOurJwt(token, opts({ now: NOW + 65 })))).toBe('expired');
    expect(
      await reason(verifyOurJwt(token, opts({ now: NOW + 61, clockToleranceSeconds: 0 }))),
    ).toBe('expired');
  });

  it('rejects tokens issued in the future', async () => {
    const token = await accessToken({ now: NOW + 60 });
    expect(await reason(verifyOurJwt(token, opts()))).toBe('not_yet_valid');
  });

  it('rejects a wrong audience or issuer', async () => {
    const token = await accessToken();
    expect(await reason(verifyOurJwt(token, opts({ audience: 'https://other.example.com' })))).toBe(
      'audience',
    );
    expect(await reason(verifyOurJwt(token, opts({ issuer: 'https://evil.example.com' })))).toBe(
      'issuer',
    );
    await expect(verifyOurJwt(token, opts({ audience: undefined }))).resolves.toBeDefined();
  });

  it('rejects altered tokens and tokens signed by keys outside our JWKS', async () => {
    const [h, , s] = (await accessToken()).split('.');
    const altered = `${h}.${b64({ ...claims, sub: 'admin' })}.${s}`;
    expect(await reason(verifyOurJwt(altered, opts()))).toBe('signature');
    expect(await reason(verifyOurJwt(await accessToken({ key: foreign }), opts()))).toBe(
      'signature',
    );
  });

  it('rejects a token missing a claim its type requires', async () => {
    const { jti: _omit, ...noJti } = claims;
    const token = await new SignJWT(noJti)
      .setProtectedHeader({ alg: 'RS256', kid: keyOf('RS256').kid, typ: 'at+jwt' })
      .sign(keyOf('RS256').privateKey);
    expect(await reason(verifyOurJwt(token, opts()))).toBe('claims');
  });

  it.each([['garbage'], ['a.b.c'], ['a.b.c.d.e'], ['x'.repeat(70_000) + '.a.b']])(
    'rejects malformed input %#',
    async (token) => {
      expect(await reason(verifyOurJwt(token, opts()))).toBe('malformed');
    },
  );

  it('refuses unsafe configuration with a plain error, not a token error', async () => {
    const token = await accessToken();
    const unsafe = (algorithms: string[]) => opts({ algorithms: algorithms as never });
    await expect(verifyOurJwt(token, unsafe(['none']))).rejects.toThrow(/not allowed/);
    await expect(verifyOurJwt(token, unsafe(['RS256', 'HS256']))).rejects.toThrow(/not allowed/);
    await expect(verifyOurJwt(token, unsafe([]))).rejects.toThrow(/empty/);
    const leaked = [{ ...keys.get('RS256')!.publicJwk, d: 'secret' }];
    await expect(verifyOurJwt(token, opts({ jwks: leaked }))).rejects.toThrow(/public keys only/);
  });

  it('picks up a key added to the same JWKS array (rotation)', async () => {
    const ring = [keys.get('RS256')!.publicJwk];
    const es = await accessToken({ key: keyOf('ES256') });
    expect(await reason(verifyOurJwt(es, opts({ jwks: ring })))).toBe('signature');
    ring.push(keys.get('ES256')!.publicJwk);
    await expect(verifyOurJwt(es, opts({ jwks: ring }))).resolves.toBeDefined();
  });
});
