import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { InvalidClient, InvalidScope, UnauthorizedClient } from '@idp/oauth-errors';
import { createAuthApi, form, FORM_HEADERS } from '../http/auth-api.fixtures';

const ENDPOINT = 'https://idp.example.com/device_authorization';
const CODES = {
  device_code: 'dc_x',
  user_code: 'BCDF-GHJK',
  expires_in: 600,
  interval: 5,
  scope: 'openid',
};

describe('POST /device_authorization (RFC 8628 3.1)', () => {
  let app: NestFastifyApplication;
  const deviceAuthorization = jest.fn();

  beforeAll(async () => {
    app = await createAuthApi({ token: { deviceAuthorization } });
  });
  afterAll(() => app.close());
  beforeEach(() => deviceAuthorization.mockReset().mockResolvedValue(CODES));

  const post = (
    payload: string,
    headers: Record<string, string> = FORM_HEADERS,
    url = '/device_authorization',
  ) => app.inject({ method: 'POST', url, payload, headers });

  it('answers the codes with the verification URIs, uncached', async () => {
    const res = await post(form({ client_id: 'tv', scope: 'openid profile' }));
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toEqual({
      device_code: 'dc_x',
      user_code: 'BCDF-GHJK',
      verification_uri: 'https://idp.example.com/device',
      verification_uri_complete: 'https://idp.example.com/device?user_code=BCDF-GHJK',
      expires_in: 600,
      interval: 5,
    });
    expect(deviceAuthorization).toHaveBeenCalledWith({
      clientAuth: { method: 'none', clientId: 'tv' },
      endpoint: ENDPOINT,
      scope: ['openid', 'profile'],
      scopeRequested: true,
    });
  });

  it('drops unknown scopes as /authorize does, and says when none was asked', async () => {
    await post(form({ client_id: 'tv', scope: 'openid frobnicate' }));
    expect(deviceAuthorization.mock.calls[0][0]).toMatchObject({
      scope: ['openid'],
      scopeRequested: true,
    });
    await post(form({ client_id: 'tv' }));
    expect(deviceAuthorization.mock.calls[1][0]).toMatchObject({
      scope: [],
      scopeRequested: false,
    });
  });

  it('passes Basic credentials on, as at /token', async () => {
    const basic = `Basic ${Buffer.from('tv:s3cret').toString('base64')}`;
    await post(form({ scope: 'openid' }), { ...FORM_HEADERS, authorization: basic });
    expect(deviceAuthorization.mock.calls[0][0].clientAuth).toEqual({
      method: 'client_secret_basic',
      clientId: 'tv',
      secret: 's3cret',
    });
  });

  it('refuses a non-form body, parameters in the query, a repeated parameter and two auth methods', async () => {
    const json = await post(JSON.stringify({ client_id: 'tv' }), {
      'content-type': 'application/json',
    });
    expect([json.statusCode, json.json().error]).toEqual([415, 'invalid_request']);
    const query = await post(
      form({ client_id: 'tv' }),
      FORM_HEADERS,
      '/device_authorization?scope=openid',
    );
    expect([query.statusCode, query.json().error]).toEqual([400, 'invalid_request']);
    const repeated = await post('client_id=tv&scope=openid&scope=profile');
    expect([repeated.statusCode, repeated.json().error]).toEqual([400, 'invalid_request']);
    const basic = `Basic ${Buffer.from('tv:s3cret').toString('base64')}`;
    const both = await post(form({ client_id: 'tv', client_secret: 's3cret' }), {
      ...FORM_HEADERS,
      authorization: basic,
    });
    expect([both.statusCode, both.json().error]).toEqual([400, 'invalid_request']);
    const huge = await post(form({ client_id: 'tv', scope: 'x'.repeat(70_000) }));
    expect(huge.statusCode).toBe(413);
    expect(deviceAuthorization).not.toHaveBeenCalled();
  });

  it('answers no client with invalid_client without asking token-service', async () => {
    const res = await post(form({ scope: 'openid' }));
    expect([res.statusCode, res.json().error]).toEqual([401, 'invalid_client']);
    expect(deviceAuthorization).not.toHaveBeenCalled();
  });

  it("renders token-service's refusals: client, grant type not allowed, scope", async () => {
    for (const [err, status] of [
      [new InvalidClient('client authentication failed', { scheme: null }), 401],
      [new UnauthorizedClient('the client may not use grant_type device_code'), 400],
      [new InvalidScope('no requested scope is allowed'), 400],
    ] as const) {
      deviceAuthorization.mockRejectedValueOnce(err);
      const res = await post(form({ client_id: 'tv', scope: 'openid' }));
      expect(res.statusCode).toBe(status);
      expect(res.json().error).toBe(err.error);
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });
});
