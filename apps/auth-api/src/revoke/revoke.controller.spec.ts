import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { InvalidClient, UnauthorizedClient } from '@idp/oauth-errors';
import { createAuthApi, form, FORM_HEADERS } from '../http/auth-api.fixtures';

const ENDPOINT = 'https://idp.example.com/revoke';
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('POST /revoke', () => {
  let app: NestFastifyApplication;
  const revoke = jest.fn();

  beforeAll(async () => {
    app = await createAuthApi({ token: { revoke } });
  });
  afterAll(() => app.close());
  beforeEach(() => {
    revoke.mockReset();
    revoke.mockResolvedValue({});
  });

  const post = (payload: string, headers: Record<string, string> = FORM_HEADERS) =>
    app.inject({ method: 'POST', url: '/revoke', payload, headers });

  it('passes token, hint and Basic credentials on and answers 200 with an empty, uncached body', async () => {
    const res = await post(form({ token: 'rt_1', token_type_hint: 'refresh_token' }), {
      ...FORM_HEADERS,
      authorization: basic('app', 's3cret'),
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(revoke).toHaveBeenCalledWith({
      token: 'rt_1',
      tokenTypeHint: 'refresh_token',
      clientAuth: { method: 'client_secret_basic', clientId: 'app', secret: 's3cret' },
      endpoint: ENDPOINT,
    });
  });

  it('takes credentials from the body, and client_id alone for a public client', async () => {
    await post(form({ token: 'at_1', client_id: 'app', client_secret: 's3cret' }));
    expect(revoke.mock.calls[0][0].clientAuth).toEqual({
      method: 'client_secret_post',
      clientId: 'app',
      secret: 's3cret',
    });
    await post(form({ token: 'at_1', client_id: 'spa' }));
    expect(revoke.mock.calls[1][0].clientAuth).toEqual({ method: 'none', clientId: 'spa' });
  });

  it('ignores a token_type_hint it does not know (RFC 7009 2.1)', async () => {
    await post(form({ token: 'at_1', client_id: 'spa', token_type_hint: 'id_token' }));
    expect(revoke.mock.calls[0][0]).not.toHaveProperty('tokenTypeHint');
  });

  it('refuses a missing token, a repeated one and a non-form body with invalid_request', async () => {
    const json = await post(JSON.stringify({ token: 'a', client_id: 'spa' }), {
      'content-type': 'application/json',
    });
    expect([json.statusCode, json.json()['error']]).toEqual([415, 'invalid_request']);
    for (const res of [
      await post(form({ client_id: 'spa' })),
      await post('token=a&token=b&client_id=spa'),
    ]) {
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: 'invalid_request' });
      expect(res.headers['cache-control']).toBe('no-store');
    }
    expect(revoke).not.toHaveBeenCalled();
  });

  it('answers no credentials with invalid_client (401) and never calls token-service', async () => {
    const res = await post(form({ token: 'at_1' }));
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: 'invalid_client' });
    expect(revoke).not.toHaveBeenCalled();
  });

  it("renders token-service's invalid_client with the Basic challenge", async () => {
    revoke.mockRejectedValue(new InvalidClient('client authentication failed'));
    const res = await post(form({ token: 'at_1' }), {
      ...FORM_HEADERS,
      authorization: basic('app', 'wrong'),
    });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Basic/);
    expect(res.json()).toEqual({
      error: 'invalid_client',
      error_description: 'client authentication failed',
    });
  });

  it("renders another client's token as unauthorized_client (400)", async () => {
    revoke.mockRejectedValue(new UnauthorizedClient('not your token'));
    const res = await post(form({ token: 'at_1', client_id: 'spa' }));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'unauthorized_client' });
  });
});
