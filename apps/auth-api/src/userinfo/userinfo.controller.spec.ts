import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { InsufficientScope, InvalidToken } from '@idp/oauth-errors';
import { createAuthApi, form, FORM_HEADERS } from '../http/auth-api.fixtures';

const CLAIMS = { sub: 'user-1', email: 'ada@example.com', email_verified: true };

describe('/userinfo', () => {
  let app: NestFastifyApplication;
  const userinfo = jest.fn();

  beforeAll(async () => {
    app = await createAuthApi({ token: { userinfo } });
  });
  afterAll(() => app.close());
  beforeEach(() => {
    userinfo.mockReset();
    userinfo.mockResolvedValue({ format: 'json', claims: CLAIMS });
  });

  it('answers a Bearer header with the claims, never cached', async () => {
    const res = await app.inject({ url: '/userinfo', headers: { authorization: 'Bearer at-1' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(CLAIMS);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['pragma']).toBe('no-cache');
    expect(userinfo).toHaveBeenCalledWith({ accessToken: 'at-1' });
  });

  it('reads the scheme case-insensitively (RFC 7235 2.1)', async () => {
    await app.inject({ url: '/userinfo', headers: { authorization: 'bEaReR at-2' } });
    expect(userinfo).toHaveBeenCalledWith({ accessToken: 'at-2' });
  });

  it('accepts POST with the header or with a form body access_token (RFC 6750 2.2)', async () => {
    const viaHeader = await app.inject({
      method: 'POST',
      url: '/userinfo',
      headers: { authorization: 'Bearer at-1' },
    });
    const viaBody = await app.inject({
      method: 'POST',
      url: '/userinfo',
      headers: FORM_HEADERS,
      payload: form({ access_token: `h.${'p'.repeat(5000)}.s` }),
    });
    expect(viaHeader.statusCode).toBe(200);
    expect(viaBody.statusCode).toBe(200);
    expect(userinfo.mock.calls).toEqual([
      [{ accessToken: 'at-1' }],
      [{ accessToken: `h.${'p'.repeat(5000)}.s` }],
    ]);
  });

  it('returns a signed response as application/jwt', async () => {
    userinfo.mockResolvedValue({ format: 'jwt', jwt: 'eyJ.eyJ.sig' });
    const res = await app.inject({ url: '/userinfo', headers: { authorization: 'Bearer at-1' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/jwt');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toBe('eyJ.eyJ.sig');
  });

  it('answers no token at all with 401 and bare challenges of both schemes (RFC 6750 3.1, RFC 9449 7.1)', async () => {
    for (const res of [
      await app.inject({ url: '/userinfo' }),
      await app.inject({ url: '/userinfo', headers: { authorization: 'Basic YTpi' } }),
      await app.inject({ method: 'POST', url: '/userinfo' }),
    ]) {
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe(
        'Bearer realm="idp", DPoP algs="ES256 EdDSA RS256 PS256"',
      );
      expect(res.json()).toEqual({
        error: 'invalid_request',
        error_description: 'no access token provided',
      });
    }
    expect(userinfo).not.toHaveBeenCalled();
  });

  it('refuses two methods at once with 400 invalid_request', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/userinfo',
      headers: { ...FORM_HEADERS, authorization: 'Bearer at-1' },
      payload: form({ access_token: 'at-1' }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: 'invalid_request',
      error_description: 'the access token must be sent by one method only',
    });
    expect(res.headers['www-authenticate']).toBe(
      'Bearer realm="idp", error="invalid_request", error_description="the access token must be sent by one method only"',
    );
    expect(userinfo).not.toHaveBeenCalled();
  });

  it('never takes the token from the query string', async () => {
    const res = await app.inject({ url: '/userinfo?access_token=at-1' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: 'invalid_request',
      error_description: 'access_token in the query string is not accepted',
    });
    expect(userinfo).not.toHaveBeenCalled();
  });

  it('refuses a malformed Bearer header with 400', async () => {
    const res = await app.inject({ url: '/userinfo', headers: { authorization: 'Bearer a b' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_request' });
  });

  it.each([
    [new InvalidToken('the access token is invalid, expired or revoked'), 401],
    [new InsufficientScope('openid'), 403],
  ])('passes token-service errors through with their challenge (%s)', async (err, status) => {
    userinfo.mockRejectedValue(err);
    const res = await app.inject({ url: '/userinfo', headers: { authorization: 'Bearer at-1' } });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toEqual(err.toJSON());
    expect(res.headers['www-authenticate']).toBe(err.headers['WWW-Authenticate']);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it.each([
    ['a repeated form parameter', FORM_HEADERS, 'access_token=a&access_token=b', 400],
    ['an unsupported content type', { 'content-type': 'application/x-weird' }, 'x', 415],
    ['a body over the limit', FORM_HEADERS, `access_token=${'a'.repeat(70_000)}`, 413],
  ])('answers %s with a Bearer challenge (RFC 6750 3)', async (_, headers, payload, status) => {
    const res = await app.inject({ method: 'POST', url: '/userinfo', headers, payload });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ error: 'invalid_request' });
    expect(res.headers['www-authenticate']).toMatch(
      /^Bearer realm="idp", error="invalid_request", error_description="[^"]+"$/,
    );
    expect(res.headers['cache-control']).toBe('no-store');
    expect(userinfo).not.toHaveBeenCalled();
  });
});
