import {
  constants,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  verify,
} from 'node:crypto';
import { importJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import { generateSigningKey, SIGNING_ALGS, type SigningAlg } from '../signing-keys';
import { signCompactJws } from './compact-jws';
import { importTokenSigningKey } from './signing-key';

const CLAIMS = {
  iss: 'https://op.example.com',
  sub: 'user-1',
  aud: ['https://api.example.com', 'https://b.example.com'],
  exp: 1_900_000_600,
  iat: 1_900_000_000,
  jti: 'j-1',
  name: 'Zoë Ωmega', // non-ASCII: base64url of the UTF-8 bytes, as jose does
  nested: { roles: ['a', 'b'], n: 1.5, ok: true, none: null },
};

const keys = new Map<SigningAlg, { jwk: JWK; publicJwk: JWK; keyObject: KeyObject }>();
beforeAll(async () => {
  for (const alg of SIGNING_ALGS) {
    const g = await generateSigningKey(alg);
    const { privateKey } = await importTokenSigningKey(g.privateJwk);
    keys.set(alg, { jwk: g.privateJwk, publicJwk: g.publicJwk, keyObject: privateKey });
  }
});
const keyOf = (alg: SigningAlg) => keys.get(alg)!;
const header = (alg: SigningAlg) => ({ alg, kid: keyOf(alg).jwk.kid!, typ: 'at+jwt' });
const parts = (token: string) => token.split('.') as [string, string, string];

describe('signCompactJws', () => {
  it.each(SIGNING_ALGS)('%s: jose verifies it with the public JWK alone', async (alg) => {
    const token = await signCompactJws(header(alg), CLAIMS, keyOf(alg).keyObject);
    const { payload, protectedHeader } = await jwtVerify(
      token,
      await importJWK(keyOf(alg).publicJwk, alg),
      { algorithms: [alg], typ: 'at+jwt', currentDate: new Date(1_900_000_100_000) },
    );
    expect(protectedHeader).toEqual(header(alg));
    expect(payload).toEqual(CLAIMS);
  });

  it.each(SIGNING_ALGS)('%s: header and claims are the bytes jose SignJWT writes', async (alg) => {
    const ours = parts(await signCompactJws(header(alg), CLAIMS, keyOf(alg).keyObject));
    const jose = parts(
      await new SignJWT(CLAIMS).setProtectedHeader(header(alg)).sign(keyOf(alg).keyObject),
    );
    expect(ours.slice(0, 2)).toEqual(jose.slice(0, 2));
    expect(ours[2]).toMatch(/^[A-Za-z0-9_-]+$/); // base64url, no padding
  });

  // RS256 and EdDSA signatures are deterministic: the whole token must match jose's.
  it.each(['RS256', 'EdDSA'] as const)('%s: the whole token equals jose SignJWT', async (alg) => {
    const jose = await new SignJWT(CLAIMS)
      .setProtectedHeader(header(alg))
      .sign(keyOf(alg).keyObject);
    expect(await signCompactJws(header(alg), CLAIMS, keyOf(alg).keyObject)).toBe(jose);
  });

  it('ES256: the signature is r || s (64 bytes, RFC 7518 3.4), never DER', async () => {
    const token = await signCompactJws(header('ES256'), CLAIMS, keyOf('ES256').keyObject);
    const [h, p, s] = parts(token);
    const signature = Buffer.from(s, 'base64url');
    expect(signature).toHaveLength(64);
    const pub = createPublicKey({ key: keyOf('ES256').publicJwk, format: 'jwk' });
    const input = Buffer.from(`${h}.${p}`);
    expect(verify('sha256', input, { key: pub, dsaEncoding: 'ieee-p1363' }, signature)).toBe(true);
    // A DER signature (node's default) starts with a SEQUENCE tag and is 70-72 bytes long.
    const der = (() => {
      try {
        return verify('sha256', input, { key: pub, dsaEncoding: 'der' }, signature);
      } catch {
        return false;
      }
    })();
    expect(der).toBe(false);
  });

  it('PS256: a PSS signature with a 32-byte salt (RFC 7518 3.5), not PKCS#1 v1.5', async () => {
    const token = await signCompactJws(header('PS256'), CLAIMS, keyOf('PS256').keyObject);
    const [h, p, s] = parts(token);
    const pub = createPublicKey({ key: keyOf('PS256').publicJwk, format: 'jwk' });
    const input = Buffer.from(`${h}.${p}`);
    const sig = Buffer.from(s, 'base64url');
    const pss = { key: pub, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
    expect(verify('sha256', input, pss, sig)).toBe(true);
    expect(verify('sha256', input, { key: pub, padding: constants.RSA_PKCS1_PADDING }, sig)).toBe(
      false,
    );
    // Randomised salt: two signatures of the same input differ.
    const again = parts(await signCompactJws(header('PS256'), CLAIMS, keyOf('PS256').keyObject))[2];
    expect(again).not.toBe(s);
  });

  it.each([
    ['RS256', true],
    ['PS256', true],
    ['ES256', false],
    ['EdDSA', false],
  ] as const)(
    '%s: signed on the thread pool: %s (the loop turns while RSA signatures run)',
    async (alg, offLoop) => {
      // A setImmediate chain counts the loop's turns while 16 signatures are under way: RSA ones
      // run on libuv's pool, so the loop keeps turning; the cheap ones finish before it can.
      let turns = 0;
      let counting = true;
      const spin = () => {
        if (!counting) return;
        turns++;
        setImmediate(spin);
      };
      setImmediate(spin);
      const tokens = await Promise.all(
        Array.from({ length: 16 }, () => signCompactJws(header(alg), CLAIMS, keyOf(alg).keyObject)),
      );
      counting = false;
      expect(tokens).toHaveLength(16);
      if (offLoop) expect(turns).toBeGreaterThan(0);
      else expect(turns).toBe(0);
    },
  );

  it('refuses a WebCrypto CryptoKey (node deprecates them in node:crypto)', async () => {
    const cryptoKey = await importJWK(keyOf('ES256').jwk, 'ES256');
    await expect(
      signCompactJws(header('ES256'), CLAIMS, cryptoKey as unknown as KeyObject),
    ).rejects.toThrow(/private KeyObject/);
  });

  it('refuses a key that does not fit the alg', async () => {
    const cases: [SigningAlg, SigningAlg][] = [
      ['ES256', 'RS256'],
      ['RS256', 'ES256'],
      ['EdDSA', 'PS256'],
      ['RS256', 'EdDSA'],
    ];
    for (const [alg, keyAlg] of cases)
      await expect(signCompactJws(header(alg), CLAIMS, keyOf(keyAlg).keyObject)).rejects.toThrow(
        `the key does not fit ${alg}`,
      );
  });

  it('refuses an alg outside the allow-list (none, HS256, RS512), whatever the key', async () => {
    for (const alg of ['none', 'HS256', 'RS512'])
      await expect(
        signCompactJws(
          { ...header('RS256'), alg: alg as SigningAlg },
          CLAIMS,
          keyOf('RS256').keyObject,
        ),
      ).rejects.toThrow(`unsupported signing alg: ${alg}`);
  });

  it('refuses a P-384 key for ES256 and an RSA key under 2048 bits', async () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey;
    await expect(signCompactJws(header('ES256'), CLAIMS, p384)).rejects.toThrow(
      'does not fit ES256',
    );
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    await expect(signCompactJws(header('RS256'), CLAIMS, small)).rejects.toThrow(
      'does not fit RS256',
    );
  });

  it('refuses a public key', async () => {
    const publicOnly = createPublicKey(keyOf('ES256').keyObject);
    await expect(signCompactJws(header('ES256'), CLAIMS, publicOnly)).rejects.toThrow(
      /private KeyObject/,
    );
  });
});
