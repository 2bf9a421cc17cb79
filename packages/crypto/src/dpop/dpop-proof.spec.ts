import { createHash, generateKeyPairSync } from 'node:crypto';
import { CompactSign, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import {
  DpopProofError,
  dpopAccessTokenHash,
  MAX_DPOP_PROOF_LENGTH,
  verifyDpopProof,
  type DpopProofCheck,
} from './dpop-proof';
import { normaliseHtu } from './htu';

const NOW = 1_800_000_000;
const URL_ = 'https://idp.example/token';
const ALGS = ['ES256', 'EdDSA', 'RS256', 'PS256'];

let es256: { privateKey: CryptoKey; jwk: JWK };
beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  es256 = { privateKey: pair.privateKey, jwk: await exportJWK(pair.publicKey) };
});

interface ProofOptions {
  header?: Record<string, unknown>;
  claims?: Record<string, unknown>;
  key?: CryptoKey;
  alg?: string;
}

function proof(o: ProofOptions = {}): Promise<string> {
  const claims = { htm: 'POST', htu: URL_, iat: NOW, jti: 'jti-0123456789', ...o.claims };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: o.alg ?? 'ES256', typ: 'dpop+jwt', jwk: es256.jwk, ...o.header })
    .sign(o.key ?? es256.privateKey);
}

const check = (p: string, over: Partial<DpopProofCheck> = {}): DpopProofCheck => ({
  proof: p,
  method: 'POST',
  url: URL_,
  now: NOW,
  algs: ALGS,
  maxAge: 60,
  skew: 5,
  ...over,
});

async function refusal(p: Promise<string> | string, over: Partial<DpopProofCheck> = {}) {
  const err = await verifyDpopProof(check(await p, over)).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(DpopProofError);
  return (err as Error).message;
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('verifyDpopProof', () => {
  it('accepts a good proof and answers the RFC 7638 thumbprint of its key', async () => {
    const verified = await verifyDpopProof(check(await proof()));
    const { crv, kty, x, y } = es256.jwk;
    const canonical = JSON.stringify({ crv, kty, x, y });
    expect(verified).toEqual({
      jkt: createHash('sha256').update(canonical).digest('base64url'),
      jti: 'jti-0123456789',
      iat: NOW,
    });
  });

  it('accepts EdDSA, RS256 and PS256 keys', async () => {
    for (const alg of ['EdDSA', 'RS256', 'PS256'] as const) {
      const pair = await generateKeyPair(alg, { extractable: true });
      const jwk = await exportJWK(pair.publicKey);
      const p = await proof({ alg, key: pair.privateKey, header: { jwk } });
      await expect(verifyDpopProof(check(p))).resolves.toHaveProperty('jti');
    }
  });

  it('refuses a typ other than dpop+jwt', async () => {
    expect(await refusal(proof({ header: { typ: 'JWT' } }))).toMatch(/typ/);
  });

  it('refuses alg none (an unsigned proof)', async () => {
    const header = b64({ alg: 'none', typ: 'dpop+jwt', jwk: es256.jwk });
    const payload = b64({ htm: 'POST', htu: URL_, iat: NOW, jti: 'jti-0123456789' });
    expect(await refusal(`${header}.${payload}.`)).toMatch(/compact JWS/);
    expect(await refusal(`${header}.${payload}.AAAA`)).toMatch(/alg/);
  });

  it('refuses HS256 (a MAC), even with a symmetric jwk', async () => {
    const secret = new Uint8Array(32).fill(7);
    const jwk = { kty: 'oct', k: Buffer.from(secret).toString('base64url') };
    const p = await new SignJWT({ htm: 'POST', htu: URL_, iat: NOW, jti: 'jti-0123456789' })
      .setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk })
      .sign(secret);
    expect(await refusal(p)).toMatch(/alg/);
  });

  it('refuses an asymmetric alg the deployment did not allow', async () => {
    expect(await refusal(proof(), { algs: ['EdDSA'] })).toMatch(/alg/);
  });

  it('refuses a jwk with private members', async () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const privateJwk = pair.privateKey.export({ format: 'jwk' });
    expect(await refusal(proof({ header: { jwk: privateJwk } }))).toMatch(/public key/);
  });

  it('refuses a proof without a jwk, or with a jwk of another key type', async () => {
    expect(await refusal(proof({ header: { jwk: undefined } }))).toMatch(/no jwk/);
    const rsa = await generateKeyPair('RS256', { extractable: true });
    expect(await refusal(proof({ header: { jwk: await exportJWK(rsa.publicKey) } }))).toMatch(
      /alg/,
    );
  });

  it('refuses a signature by another key than the jwk', async () => {
    const other = await generateKeyPair('ES256');
    expect(await refusal(proof({ key: other.privateKey }))).toMatch(/signature/);
  });

  it('refuses a tampered payload', async () => {
    const [h, , s] = (await proof()).split('.');
    const forged = b64({ htm: 'POST', htu: URL_, iat: NOW, jti: 'jti-other-12345' });
    expect(await refusal(`${h}.${forged}.${s}`)).toMatch(/signature/);
  });

  it('refuses a payload that is not a JSON object', async () => {
    const p = await new CompactSign(new TextEncoder().encode('[1]'))
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: es256.jwk })
      .sign(es256.privateKey);
    expect(await refusal(p)).toMatch(/JSON object/);
  });

  it('refuses a wrong htm (methods are case-sensitive)', async () => {
    expect(await refusal(proof({ claims: { htm: 'GET' } }))).toMatch(/htm/);
    expect(await refusal(proof({ claims: { htm: 'post' } }))).toMatch(/htm/);
    expect(await refusal(proof({ claims: { htm: undefined } }))).toMatch(/htm/);
  });

  it('refuses a wrong htu', async () => {
    expect(await refusal(proof({ claims: { htu: 'https://idp.example/userinfo' } }))).toMatch(
      /htu/,
    );
    expect(await refusal(proof({ claims: { htu: 'https://evil.example/token' } }))).toMatch(/htu/);
    expect(await refusal(proof({ claims: { htu: 'http://idp.example/token' } }))).toMatch(/htu/);
    expect(await refusal(proof({ claims: { htu: 42 } }))).toMatch(/htu/);
    expect(await refusal(proof({ claims: { htu: '/token' } }))).toMatch(/htu/);
  });

  it('refuses an htu with a query or a fragment', async () => {
    expect(await refusal(proof({ claims: { htu: `${URL_}?a=b` } }))).toMatch(/query/);
    expect(await refusal(proof({ claims: { htu: `${URL_}#f` } }))).toMatch(/query/);
  });

  it('accepts an htu that differs only by RFC 3986 6.2.2-6.2.3 normalisation', async () => {
    for (const htu of ['HTTPS://IDP.EXAMPLE/token', 'https://idp.example:443/token']) {
      await expect(verifyDpopProof(check(await proof({ claims: { htu } })))).resolves.toBeTruthy();
    }
  });

  it('refuses a stale, a future or a missing iat', async () => {
    expect(await refusal(proof({ claims: { iat: NOW - 61 } }))).toMatch(/iat/);
    expect(await refusal(proof({ claims: { iat: NOW + 6 } }))).toMatch(/iat/);
    expect(await refusal(proof({ claims: { iat: undefined } }))).toMatch(/iat/);
    expect(await refusal(proof({ claims: { iat: String(NOW) } }))).toMatch(/iat/);
    await expect(
      verifyDpopProof(check(await proof({ claims: { iat: NOW - 60 } }))),
    ).resolves.toBeTruthy();
    await expect(
      verifyDpopProof(check(await proof({ claims: { iat: NOW + 5 } }))),
    ).resolves.toBeTruthy();
  });

  it('refuses a missing, short or oversized jti', async () => {
    expect(await refusal(proof({ claims: { jti: undefined } }))).toMatch(/jti/);
    expect(await refusal(proof({ claims: { jti: 'short' } }))).toMatch(/jti/);
    expect(await refusal(proof({ claims: { jti: 'x'.repeat(257) } }))).toMatch(/jti/);
    expect(await refusal(proof({ claims: { jti: 12345678901 } }))).toMatch(/jti/);
  });

  it('checks ath against the presented access token', async () => {
    const token = 'at_example-token';
    const ath = dpopAccessTokenHash(token);
    expect(ath).toBe(createHash('sha256').update(token).digest('base64url'));
    await expect(
      verifyDpopProof(check(await proof({ claims: { ath } }), { accessToken: token })),
    ).resolves.toBeTruthy();
    expect(await refusal(proof({ claims: { ath } }), { accessToken: 'at_other' })).toMatch(/ath/);
  });

  it('requires ath when an access token is presented (resource access)', async () => {
    expect(await refusal(proof(), { accessToken: 'at_example-token' })).toMatch(/no ath/);
  });

  it('refuses an oversized proof before parsing it', async () => {
    const big = await proof({ claims: { pad: 'x'.repeat(MAX_DPOP_PROOF_LENGTH) } });
    expect(await refusal(big)).toMatch(/too large/);
  });

  it('refuses something that is not a compact JWS', async () => {
    expect(await refusal('not-a-jwt')).toMatch(/compact JWS/);
    expect(await refusal('a.b.c.d.e')).toMatch(/compact JWS/);
    expect(await refusal('e30.e30.e30')).toMatch(/typ/);
    expect(await refusal('!!!.e30.e30')).toMatch(/compact JWS/);
  });

  it('hands back the nonce claim, and refuses a malformed one', async () => {
    expect(await verifyDpopProof(check(await proof({ claims: { nonce: 'n-1' } })))).toMatchObject({
      nonce: 'n-1',
    });
    expect(await refusal(proof({ claims: { nonce: 7 } }))).toMatch(/nonce/);
  });
});

describe('normaliseHtu', () => {
  it('normalises case, default ports and percent-encoding, and drops query and fragment', () => {
    expect(normaliseHtu('HTTPS://Idp.Example:443/a/%7e?x=1#y')).toBe('https://idp.example/a/%7E');
    expect(normaliseHtu('http://idp.example:80')).toBe('http://idp.example/');
    expect(normaliseHtu('https://idp.example:8443/t')).toBe('https://idp.example:8443/t');
    expect(normaliseHtu('https://idp.example/a/../token')).toBe('https://idp.example/token');
  });

  it('refuses what is not an absolute http(s) URI', () => {
    expect(normaliseHtu('/token')).toBeUndefined();
    expect(normaliseHtu('ftp://idp.example/token')).toBeUndefined();
    expect(normaliseHtu('https://user:pw@idp.example/token')).toBeUndefined();
  });
});
