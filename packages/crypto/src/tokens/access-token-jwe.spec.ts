import {
  constants,
  createCipheriv,
  type JsonWebKey,
  createPublicKey,
  publicEncrypt,
  randomBytes,
} from 'node:crypto';
import {
  CompactEncrypt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type CryptoKey,
} from 'jose';
import { generateSigningKey } from '../signing-keys';
import { decryptAccessToken, encryptAccessToken } from './access-token-jwe';
import { signAccessTokenJwt } from './access-token-jwt';
import { signIdToken } from './id-token';
import { verifyOurJwt } from './jwt-verify';
import { importTokenSigningKey, type TokenSigningKey } from './signing-key';

const NOW = 1_900_000_000;
const ISS = 'https://op.example.com';
const API = 'https://api.example.com';

interface RsKey {
  publicJwk: JWK;
  privateJwk: JWK;
  privateKey: CryptoKey;
}
async function rsKey(alg: string, options: { crv?: string } = {}): Promise<RsKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { ...options, extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid: `rs-${alg}`, use: 'enc' };
  return { publicJwk, privateJwk: await exportJWK(privateKey), privateKey };
}

/**
 * A genuine RSA1_5 + A256GCM compact JWE (RFC 7516 §A.2 with GCM), built with
 * node:crypto because jose 6, Web Crypto only, no longer produces RSA1_5.
 */
function rsa1_5Jwe(publicJwk: JWK, plaintext: Uint8Array, header: Record<string, string>): string {
  const protectedB64 = Buffer.from(
    JSON.stringify({ alg: 'RSA1_5', enc: 'A256GCM', ...header }),
  ).toString('base64url');
  const cek = randomBytes(32);
  const iv = randomBytes(12);
  const encryptedKey = publicEncrypt(
    {
      key: createPublicKey({ key: publicJwk as JsonWebKey, format: 'jwk' }),
      padding: constants.RSA_PKCS1_PADDING,
    },
    cek,
  );
  const cipher = createCipheriv('aes-256-gcm', cek, iv);
  cipher.setAAD(Buffer.from(protectedB64, 'ascii'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [protectedB64, encryptedKey, iv, ciphertext, cipher.getAuthTag()]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

let signing: TokenSigningKey;
let verifyJwks: JWK[];
let signed: string;
let rsa: RsKey;
let ec: RsKey;
beforeAll(async () => {
  const g = await generateSigningKey('ES256');
  signing = await importTokenSigningKey(g.privateJwk);
  verifyJwks = [g.publicJwk];
  signed = (
    await signAccessTokenJwt({
      issuer: ISS,
      sub: 'user-1',
      clientId: 'client-1',
      aud: API,
      scope: 'read',
      extraClaims: { roles: ['secret-role-name'] },
      lifetimeSeconds: 300,
      now: NOW,
      key: signing,
    })
  ).token;
  rsa = await rsKey('RSA-OAEP-256');
  ec = await rsKey('ECDH-ES+A256KW', { crv: 'P-256' });
});

const reasonOf = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: { reason?: string }) => e.reason,
  );

describe('encryptAccessToken / decryptAccessToken', () => {
  it('round-trips with RSA-OAEP-256 and keeps the nested JWT verifiable', async () => {
    const jwe = await encryptAccessToken(signed, { jwk: rsa.publicJwk });
    expect(jwe.split('.')).toHaveLength(5);
    expect(decodeProtectedHeader(jwe)).toEqual({
      alg: 'RSA-OAEP-256',
      enc: 'A256GCM',
      cty: 'JWT',
      typ: 'at+jwt',
      kid: 'rs-RSA-OAEP-256',
    });
    expect(jwe).not.toContain(Buffer.from('secret-role-name').toString('base64url').slice(0, 12));
    const inner = await decryptAccessToken(jwe, rsa.privateKey);
    expect(inner).toBe(signed);
    const claims = await verifyOurJwt(inner, {
      jwks: verifyJwks,
      issuer: ISS,
      typ: 'at+jwt',
      now: NOW,
    });
    expect(claims).toMatchObject({ roles: ['secret-role-name'], client_id: 'client-1' });
  });

  it('round-trips with ECDH-ES+A256KW (P-256), decrypting with a private JWK', async () => {
    const jwe = await encryptAccessToken(signed, { jwk: ec.publicJwk, enc: 'A128GCM' });
    expect(decodeProtectedHeader(jwe)).toMatchObject({
      alg: 'ECDH-ES+A256KW',
      enc: 'A128GCM',
      cty: 'JWT',
    });
    await expect(
      decryptAccessToken(jwe, { ...ec.privateJwk, alg: 'ECDH-ES+A256KW' }),
    ).resolves.toBe(signed);
  });

  it('round-trips with direct ECDH-ES on X25519', async () => {
    const x = await rsKey('ECDH-ES', { crv: 'X25519' });
    const jwe = await encryptAccessToken(signed, { jwk: x.publicJwk, alg: 'ECDH-ES' });
    expect(decodeProtectedHeader(jwe)).toMatchObject({ alg: 'ECDH-ES', enc: 'A256GCM' });
    await expect(decryptAccessToken(jwe, x.privateKey)).resolves.toBe(signed);
  });

  it('adds extra protected header parameters, never in place of its own', async () => {
    const header = { 'urn:example:handle': 'h1', typ: 'JWT', alg: 'dir', kid: 'other' };
    const jwe = await encryptAccessToken(signed, { jwk: rsa.publicJwk, header });
    expect(decodeProtectedHeader(jwe)).toEqual({
      'urn:example:handle': 'h1',
      alg: 'RSA-OAEP-256',
      enc: 'A256GCM',
      cty: 'JWT',
      typ: 'at+jwt',
      kid: 'rs-RSA-OAEP-256',
    });
    await expect(decryptAccessToken(jwe, rsa.privateKey)).resolves.toBe(signed);
  });

  it('fails to decrypt with another key', async () => {
    const other = await rsKey('RSA-OAEP-256');
    const jwe = await encryptAccessToken(signed, { jwk: rsa.publicJwk });
    expect(await reasonOf(decryptAccessToken(jwe, other.privateKey))).toBe('decryption');
  });

  it('refuses to wrap an ID token or a non-JWS', async () => {
    const id = await signIdToken({
      issuer: ISS,
      sub: 'u',
      aud: 'c',
      lifetimeSeconds: 60,
      now: NOW,
      key: signing,
    });
    expect(await reasonOf(encryptAccessToken(id.token, { jwk: rsa.publicJwk }))).toBe('typ');
    expect(await reasonOf(encryptAccessToken('a.b', { jwk: rsa.publicJwk }))).toBe('malformed');
  });

  it('refuses private keys, signing keys, weak or mismatched algorithms', async () => {
    await expect(encryptAccessToken(signed, { jwk: rsa.privateJwk })).rejects.toThrow(/public key/);
    await expect(
      encryptAccessToken(signed, { jwk: { ...rsa.publicJwk, use: 'sig' } }),
    ).rejects.toThrow(/enc/);
    const rsa15 = { jwk: rsa.publicJwk, alg: 'RSA1_5' as never };
    await expect(encryptAccessToken(signed, rsa15)).rejects.toThrow(/unsupported/);
    await expect(
      encryptAccessToken(signed, { jwk: ec.publicJwk, alg: 'RSA-OAEP-256' }),
    ).rejects.toThrow(/cannot be used/);
    const pinned = { ...rsa.publicJwk, alg: 'RSA-OAEP-256' };
    await expect(encryptAccessToken(signed, { jwk: pinned, alg: 'ECDH-ES' })).rejects.toThrow(
      /key is for/,
    );
  });

  it('on decryption, refuses RSA1_5, a JWE that is not a nested JWT, and one typed as something else', async () => {
    const plain = new TextEncoder().encode(signed);
    const weak = rsa1_5Jwe(rsa.publicJwk, plain, { cty: 'JWT', typ: 'at+jwt' });
    expect(await reasonOf(decryptAccessToken(weak, rsa.privateKey))).toBe('alg');

    const oaep = await importJWK(rsa.publicJwk, 'RSA-OAEP-256');
    const noCty = await new CompactEncrypt(plain)
      .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', typ: 'at+jwt' })
      .encrypt(oaep);
    expect(await reasonOf(decryptAccessToken(noCty, rsa.privateKey))).toBe('malformed');

    const idTyped = await new CompactEncrypt(plain)
      .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', cty: 'JWT', typ: 'JWT' })
      .encrypt(oaep);
    expect(await reasonOf(decryptAccessToken(idTyped, rsa.privateKey))).toBe('typ');
    expect(await reasonOf(decryptAccessToken(signed, rsa.privateKey))).toBe('malformed');
  });
});
