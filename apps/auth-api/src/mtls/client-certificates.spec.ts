import { createHash } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  createAuthApi,
  form,
  FORM_HEADERS,
  overSocket,
  type SocketAnswer,
} from '../http/auth-api.fixtures';
import { CLIENT_CERTIFICATE } from '@idp/testing';

/** RFC 8705 3.1: SHA-256 of the DER, which is the PEM's base64 body. */
const der = Buffer.from(CLIENT_CERTIFICATE.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
const X5T = createHash('sha256').update(der).digest('base64url');
const BASIC = `Basic ${Buffer.from('svc:secret').toString('base64')}`;
const TOKENS = { access_token: 'at-1', token_type: 'Bearer', expires_in: 60 };
const FORWARDED = encodeURIComponent(CLIENT_CERTIFICATE);

async function mtlsApp(trusted: string) {
  const token = jest.fn().mockResolvedValue(TOKENS);
  const userinfo = jest.fn().mockResolvedValue({ format: 'json', claims: { sub: 'u1' } });
  const app = await createAuthApi({
    token: { token, userinfo },
    env: { MTLS_CLIENT_CERT_HEADER: 'X-Client-Cert', MTLS_TRUSTED_PROXIES: trusted },
  });
  const request = await overSocket(app);
  const post = (headers: Record<string, string>) =>
    request('/token', {
      method: 'POST',
      body: form({ grant_type: 'client_credentials' }),
      headers: { ...FORM_HEADERS, authorization: BASIC, ...headers },
    });
  return { app, token, userinfo, post };
}

describe('client certificates from a trusted TLS proxy (RFC 8705)', () => {
  let app: NestFastifyApplication;
  let token: jest.Mock;
  let userinfo: jest.Mock;
  let post: (headers: Record<string, string>) => Promise<SocketAnswer>;

  // The specs connect from 127.0.0.1: that is the proxy here.
  beforeAll(async () => {
    ({ app, token, userinfo, post } = await mtlsApp('127.0.0.1, ::1'));
  });
  afterAll(() => app.close());
  beforeEach(() => {
    token.mockClear();
    userinfo.mockClear();
  });

  it("passes the forwarded certificate's x5t#S256 with the token request", async () => {
    expect((await post({ 'x-client-cert': FORWARDED })).statusCode).toBe(200);
    expect(token).toHaveBeenCalledWith(expect.objectContaining({ cnf: { 'x5t#S256': X5T } }));
  });

  it('passes no cnf without the header', async () => {
    expect((await post({})).statusCode).toBe(200);
    expect(token.mock.calls[0][0]).not.toHaveProperty('cnf');
  });

  it('answers a header that is not one certificate with 400 invalid_request', async () => {
    const res = await post({ 'x-client-cert': 'not-a-certificate' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_request' });
    expect(token).not.toHaveBeenCalled();
  });

  it('passes the certificate to /userinfo with a Bearer token', async () => {
    const res = await app.inject({
      url: '/userinfo',
      headers: { authorization: 'Bearer at-1', 'x-client-cert': FORWARDED },
    });
    expect(res.statusCode).toBe(200);
    expect(userinfo).toHaveBeenCalledWith({ accessToken: 'at-1', cnf: { 'x5t#S256': X5T } });
  });

  it('is advertised in discovery', async () => {
    const doc = (await app.inject({ url: '/.well-known/openid-configuration' })).json();
    expect(doc.tls_client_certificate_bound_access_tokens).toBe(true);
  });
});

describe('client certificates from an untrusted peer', () => {
  it('ignores the header: any client could forge it', async () => {
    const { app, token, post } = await mtlsApp('10.9.9.9');
    try {
      expect((await post({ 'x-client-cert': FORWARDED })).statusCode).toBe(200);
      expect(token.mock.calls[0][0]).not.toHaveProperty('cnf');
      // Not even a malformed one is read.
      expect((await post({ 'x-client-cert': 'garbage' })).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('without configuration nothing is read nor advertised', async () => {
    const token = jest.fn().mockResolvedValue(TOKENS);
    const app = await createAuthApi({ token: { token } });
    try {
      const doc = (await app.inject({ url: '/.well-known/openid-configuration' })).json();
      expect(doc).not.toHaveProperty('tls_client_certificate_bound_access_tokens');
    } finally {
      await app.close();
    }
  });
});
