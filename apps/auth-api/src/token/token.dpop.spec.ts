import { request as httpRequest } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { TokenResponse } from '@idp/contracts';
import { dpopProof, proofKey, type ProofKey } from '../dpop/dpop.fixtures';
import {
  createAuthApi,
  form,
  FORM_HEADERS,
  overSocket,
  type SocketAnswer,
} from '../http/auth-api.fixtures';

const HTU = 'https://idp.example.com/token';
const GRANT = form({ grant_type: 'client_credentials' });
const BASIC = `Basic ${Buffer.from('svc:secret').toString('base64')}`;
const DPOP_TOKENS: TokenResponse = { access_token: 'at-1', token_type: 'DPoP', expires_in: 60 };

async function tokenApp(env: Record<string, string> = {}) {
  const token = jest.fn().mockResolvedValue(DPOP_TOKENS);
  const app = await createAuthApi({ token: { token }, env });
  const request = await overSocket(app);
  const post = (headers: Record<string, string> = {}) =>
    request('/token', {
      method: 'POST',
      body: GRANT,
      headers: { ...FORM_HEADERS, authorization: BASIC, ...headers },
    });
  return { app, token, post };
}

describe('POST /token with DPoP (RFC 9449 5)', () => {
  let app: NestFastifyApplication;
  let token: jest.Mock;
  let post: (headers?: Record<string, string>) => Promise<SocketAnswer>;
  let key: ProofKey;

  beforeAll(async () => {
    ({ app, token, post } = await tokenApp());
    key = await proofKey();
  });
  afterAll(() => app.close());
  beforeEach(() => token.mockClear());

  const refusedWith = (res: SocketAnswer, description: RegExp) => {
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: 'invalid_dpop_proof',
      error_description: expect.stringMatching(description),
    });
    expect(token).not.toHaveBeenCalled();
  };

  it('passes the proof key thumbprint to token-service as cnf.jkt', async () => {
    const res = await post({ dpop: await dpopProof(key, 'POST', HTU) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(DPOP_TOKENS);
    expect(res.headers['dpop-nonce']).toBeUndefined();
    expect(token).toHaveBeenCalledWith(expect.objectContaining({ cnf: { jkt: key.jkt } }));
  });

  it('passes no cnf without a DPoP header', async () => {
    expect((await post()).statusCode).toBe(200);
    expect(token.mock.calls[0][0]).not.toHaveProperty('cnf');
  });

  it('refuses a replayed proof', async () => {
    const proof = await dpopProof(key, 'POST', HTU);
    expect((await post({ dpop: proof })).statusCode).toBe(200);
    token.mockClear();
    refusedWith(await post({ dpop: proof }), /already used/);
  });

  it('refuses a proof for another URL or method', async () => {
    refusedWith(
      await post({ dpop: await dpopProof(key, 'POST', 'https://idp.example.com/userinfo') }),
      /htu/,
    );
    refusedWith(await post({ dpop: await dpopProof(key, 'GET', HTU) }), /htm/);
  });

  it('refuses two DPoP headers, as two lines or combined in one', async () => {
    const [a, b] = [await dpopProof(key, 'POST', HTU), await dpopProof(key, 'POST', HTU)];
    refusedWith(await post({ dpop: `${a}, ${b}` }), /exactly one/);
    const url = new URL(await app.getUrl());
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: url.port,
          path: '/token',
          method: 'POST',
          headers: { ...FORM_HEADERS, authorization: BASIC, DPoP: [a, b] },
        },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end(GRANT);
    });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'invalid_dpop_proof' });
    expect(token).not.toHaveBeenCalled();
  });

  it('refuses a proof that is not a JWS, and one too large', async () => {
    refusedWith(await post({ dpop: 'not-a-proof' }), /compact JWS/);
    refusedWith(
      await post({ dpop: await dpopProof(key, 'POST', HTU, { pad: 'x'.repeat(5000) }) }),
      /too large/,
    );
  });
});

describe('POST /token with DPoP under other settings', () => {
  it('refuses an alg the deployment did not allow (DPOP_SIGNING_ALGS)', async () => {
    const { app, token, post } = await tokenApp({ DPOP_SIGNING_ALGS: 'EdDSA' });
    try {
      const res = await post({ dpop: await dpopProof(await proofKey(), 'POST', HTU) });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: 'invalid_dpop_proof' });
      expect(token).not.toHaveBeenCalled();
    } finally {
      await app.close();
    }
  });

  it('with DPOP_NONCE: answers use_dpop_nonce with a DPoP-Nonce, then accepts a proof with it', async () => {
    const { app, token, post } = await tokenApp({ DPOP_NONCE: 'true' });
    try {
      const key = await proofKey();
      const first = await post({ dpop: await dpopProof(key, 'POST', HTU) });
      expect(first.statusCode).toBe(400);
      expect(first.json()).toMatchObject({ error: 'use_dpop_nonce' });
      const nonce = first.headers['dpop-nonce'];
      expect(nonce).toMatch(/^[A-Za-z0-9_-]{20,}$/);
      expect(token).not.toHaveBeenCalled();

      const stale = await post({ dpop: await dpopProof(key, 'POST', HTU, { nonce: 'made-up' }) });
      expect(stale.statusCode).toBe(400);
      expect(stale.json()).toMatchObject({ error: 'use_dpop_nonce' });

      const second = await post({ dpop: await dpopProof(key, 'POST', HTU, { nonce }) });
      expect(second.statusCode).toBe(200);
      expect(second.headers['dpop-nonce']).toBe(nonce);
      expect(token).toHaveBeenCalledWith(expect.objectContaining({ cnf: { jkt: key.jkt } }));
    } finally {
      await app.close();
    }
  });
});
