import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { dpopInvalidToken, InvalidToken } from '@idp/oauth-errors';
import { dpopProof, proofKey, type ProofKey } from '../dpop/dpop.fixtures';
import { createAuthApi } from '../http/auth-api.fixtures';

const HTU = 'https://idp.example.com/userinfo';
const CLAIMS = { sub: 'user-1' };
const ALGS = 'algs="ES256 EdDSA RS256 PS256"';

describe('/userinfo with DPoP (RFC 9449 7)', () => {
  let app: NestFastifyApplication;
  let key: ProofKey;
  const userinfo = jest.fn();

  beforeAll(async () => {
    app = await createAuthApi({ token: { userinfo } });
    key = await proofKey();
  });
  afterAll(() => app.close());
  beforeEach(() => {
    userinfo.mockReset();
    userinfo.mockResolvedValue({ format: 'json', claims: CLAIMS });
  });

  const get = (headers: Record<string, string>) => app.inject({ url: '/userinfo', headers });

  it('checks the proof (with ath) and passes its key thumbprint to token-service', async () => {
    const res = await get({
      authorization: 'DPoP at-1',
      dpop: await dpopProof(key, 'GET', HTU, {}, 'at-1'),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(CLAIMS);
    expect(userinfo).toHaveBeenCalledWith({
      accessToken: 'at-1',
      scheme: 'DPoP',
      cnf: { jkt: key.jkt },
    });
  });

  it('accepts POST with the DPoP scheme (htm POST)', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/userinfo',
      headers: { authorization: 'dpop at-1', dpop: await dpopProof(key, 'POST', HTU, {}, 'at-1') },
    });
    expect(res.statusCode).toBe(200);
  });

  it('answers the DPoP scheme without a proof with 401 invalid_dpop_proof and a DPoP challenge', async () => {
    const res = await get({ authorization: 'DPoP at-1' });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: 'invalid_dpop_proof' });
    expect(res.headers['www-authenticate']).toMatch(/^DPoP error="invalid_dpop_proof", .*algs=/);
    expect(res.headers['www-authenticate']).toContain(ALGS);
    expect(userinfo).not.toHaveBeenCalled();
  });

  it('refuses a proof without ath, or with the ath of another token', async () => {
    for (const proof of [
      await dpopProof(key, 'GET', HTU),
      await dpopProof(key, 'GET', HTU, {}, 'at-other'),
    ]) {
      const res = await get({ authorization: 'DPoP at-1', dpop: proof });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^DPoP error="invalid_dpop_proof"/);
    }
    expect(userinfo).not.toHaveBeenCalled();
  });

  it('refuses a replayed proof', async () => {
    const proof = await dpopProof(key, 'GET', HTU, {}, 'at-1');
    expect((await get({ authorization: 'DPoP at-1', dpop: proof })).statusCode).toBe(200);
    const again = await get({ authorization: 'DPoP at-1', dpop: proof });
    expect(again.statusCode).toBe(401);
    expect(again.json()).toMatchObject({ error_description: 'the DPoP proof was already used' });
  });

  it("renders token-service's invalid_token under the DPoP scheme with the algs", async () => {
    userinfo.mockRejectedValue(new InvalidToken());
    const res = await get({
      authorization: 'DPoP at-1',
      dpop: await dpopProof(key, 'GET', HTU, {}, 'at-1'),
    });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^DPoP error="invalid_token", /);
    expect(res.headers['www-authenticate']).toContain(ALGS);
  });

  it('keeps the DPoP challenge of a bound token presented as Bearer', async () => {
    userinfo.mockRejectedValue(
      dpopInvalidToken('the access token is DPoP-bound: present it with the DPoP scheme', [
        'ES256',
      ]),
    );
    const res = await get({ authorization: 'Bearer at-1' });
    expect(userinfo).toHaveBeenCalledWith({ accessToken: 'at-1' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^DPoP error="invalid_token", .*algs="ES256"$/);
  });

  it.each([
    ['DPoP without a token', 'DPoP'],
    ['DPoP with spaces only', 'DPoP    '],
    ['DPoP with two tokens', 'DPoP a b'],
    ['DPoP with a quote', 'DPoP a"b'],
    ['the scheme in another case', 'dpop a,b'],
  ])(
    'answers a malformed DPoP Authorization header (%s) with a DPoP invalid_request challenge',
    async (_, authorization) => {
      const res = await get({ authorization });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({
        error: 'invalid_request',
        error_description: 'malformed DPoP Authorization header',
      });
      expect(res.headers['www-authenticate']).toBe(
        `DPoP error="invalid_request", error_description="malformed DPoP Authorization header", ${ALGS}`,
      );
      expect(userinfo).not.toHaveBeenCalled();
    },
  );

  it('answers a DPoP header beside a form access_token with a DPoP invalid_request challenge', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/userinfo',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'DPoP at-1' },
      payload: 'access_token=at-1',
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['www-authenticate']).toMatch(/^DPoP error="invalid_request", /);
    expect(res.headers['www-authenticate']).toContain(ALGS);
    expect(userinfo).not.toHaveBeenCalled();
  });

  it('offers both schemes, DPoP with its algs, to a request without any token (RFC 9449 7.1)', async () => {
    for (const res of [
      await get({}),
      await get({ authorization: 'Basic YTpi' }),
      await app.inject({ method: 'POST', url: '/userinfo' }),
    ]) {
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe(`Bearer realm="idp", DPoP ${ALGS}`);
      expect(res.json()).toEqual({
        error: 'invalid_request',
        error_description: 'no access token provided',
      });
    }
    expect(userinfo).not.toHaveBeenCalled();
  });
});

describe('/userinfo with DPOP_NONCE', () => {
  it('answers 401 use_dpop_nonce with a DPoP challenge and the nonce, then accepts it', async () => {
    const userinfo = jest.fn().mockResolvedValue({ format: 'json', claims: CLAIMS });
    const app = await createAuthApi({ token: { userinfo }, env: { DPOP_NONCE: 'true' } });
    try {
      const key = await proofKey();
      const first = await app.inject({
        url: '/userinfo',
        headers: { authorization: 'DPoP at-1', dpop: await dpopProof(key, 'GET', HTU, {}, 'at-1') },
      });
      expect(first.statusCode).toBe(401);
      expect(first.headers['www-authenticate']).toMatch(/^DPoP error="use_dpop_nonce"/);
      const nonce = first.headers['dpop-nonce'] as string;
      expect(nonce).toBeTruthy();
      const second = await app.inject({
        url: '/userinfo',
        headers: {
          authorization: 'DPoP at-1',
          dpop: await dpopProof(key, 'GET', HTU, { nonce }, 'at-1'),
        },
      });
      expect(second.statusCode).toBe(200);
      expect(second.headers['dpop-nonce']).toBe(nonce);
    } finally {
      await app.close();
    }
  });
});
