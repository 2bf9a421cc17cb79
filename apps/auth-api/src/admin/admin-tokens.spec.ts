import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { TokenHistory } from '@idp/contracts';
import { OAuthError } from '@idp/oauth-errors';
import {
  ADMIN_TOKEN,
  createRegistrationApi,
  JSON_HEADERS,
} from '../registration/registration.fixtures';

/** A made-up token of a recognisable shape: it must never come back, nor reach a log line. */
const TOKEN = 'at_SECRET-TOKEN-VALUE-0123456789';
const AT = '2026-01-02T03:04:05.000Z';
const ANSWER: TokenHistory = {
  grantId: 'g-1',
  subject: 'access_token',
  events: [],
  relatedEvents: [],
  state: { at: AT, active: false, reason: { kind: 'expired', at: AT } },
  grant: { clientId: 'rp' },
};
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/**
 * GET and POST /admin/tokens/history at auth-api (ADR 0037): the query or
 * the body checked against the admin API schema, then token-service's
 * tokenHistory RPC; the token never in an error (the access log and spans
 * carry the route template only: test/e2e/history checks the log).
 */
describe('admin API: /admin/tokens/history', () => {
  let app: NestFastifyApplication;
  const rpc = { tokenHistory: jest.fn() };
  const tokens = { introspect: jest.fn(), getClient: jest.fn() };
  const bearer = (token = ADMIN_TOKEN) => ({ authorization: `Bearer ${token}` });
  const get = (query: string, token?: string) =>
    app.inject({ method: 'GET', url: `/admin/tokens/history?${query}`, headers: bearer(token) });
  const post = (payload: string, headers: Record<string, string>, token?: string) =>
    app.inject({
      method: 'POST',
      url: '/admin/tokens/history',
      headers: { ...bearer(token), ...headers },
      payload,
    });

  beforeAll(async () => {
    app = await createRegistrationApi(rpc, { ADMIN_TOKEN }, tokens);
  });
  afterAll(() => app.close());
  beforeEach(() => {
    jest.resetAllMocks();
    rpc.tokenHistory.mockResolvedValue(ANSWER);
  });

  it('GET takes token (or grant_id) and at from the query', async () => {
    const res = await get(`token=${TOKEN}&at=${encodeURIComponent(AT)}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toEqual(ANSWER);
    expect(rpc.tokenHistory).toHaveBeenCalledWith({ token: TOKEN, at: AT });
    expect((await get('grant_id=g-1')).statusCode).toBe(200);
    expect(rpc.tokenHistory).toHaveBeenLastCalledWith({ grantId: 'g-1' });
  });

  it('POST takes the same fields as JSON or as a form', async () => {
    const json = await post(
      JSON.stringify({ token: TOKEN, at: '2026-01-02T04:04:05+01:00' }),
      JSON_HEADERS,
    );
    expect(json.statusCode).toBe(200);
    expect(rpc.tokenHistory).toHaveBeenLastCalledWith({
      token: TOKEN,
      at: '2026-01-02T04:04:05+01:00',
    });
    const form = await post(new URLSearchParams({ token: TOKEN }).toString(), FORM);
    expect(form.statusCode).toBe(200);
    expect(rpc.tokenHistory).toHaveBeenLastCalledWith({ token: TOKEN });
  });

  it('idp:admin.read may call both; no credential may call neither', async () => {
    tokens.introspect.mockResolvedValue({
      key: 'k',
      record: {
        active: true,
        token_type: 'access_token',
        client_id: 'auditor',
        scope: 'idp:admin.read',
      },
    });
    tokens.getClient.mockResolvedValue({
      client: { client_id: 'auditor', scope: 'idp:admin.read' },
    });
    expect((await get(`token=${TOKEN}`, 'at_auditor')).statusCode).toBe(200);
    expect(
      (await post(JSON.stringify({ token: TOKEN }), JSON_HEADERS, 'at_auditor')).statusCode,
    ).toBe(200);
    const anonymous = await app.inject({
      method: 'POST',
      url: '/admin/tokens/history',
      headers: JSON_HEADERS,
      payload: '{}',
    });
    expect(anonymous.statusCode).toBe(401);
  });

  it.each([
    [
      'an at without a time zone',
      `token=${TOKEN}&at=2026-01-02T03:04:05`,
      /^at: at must be an RFC 3339/,
    ],
    ['a date for at', `token=${TOKEN}&at=2026-01-02`, /^at: /],
    ['words for at', `token=${TOKEN}&at=yesterday`, /^at: /],
    ['both token and grant_id', `token=${TOKEN}&grant_id=g-1`, /exactly one of token and grant_id/],
    ['neither', 'at=2026-01-02T03:04:05Z', /exactly one of token and grant_id/],
    ['a repeated token', `token=${TOKEN}&token=${TOKEN}`, /^token: /],
    [
      'a token longer than any of ours',
      `token=at_${'A'.repeat(16_400)}`,
      /^token: token is longer/,
    ],
    ['an empty token', 'token=', /^token: /],
  ])(
    '%s is 400 invalid_request, before any RPC, without the token',
    async (_name, query, description) => {
      const res = await get(query);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({
        error: 'invalid_request',
        error_description: expect.stringMatching(description),
      });
      expect(res.body).not.toContain('SECRET-TOKEN');
      expect(res.body).not.toContain('AAAAAAAA');
      expect(rpc.tokenHistory).not.toHaveBeenCalled();
    },
  );

  it('a bad body is 400 too', async () => {
    for (const body of ['{"token":5}', '[]', '{"at":"soon","token":"x"}']) {
      const res = await post(body, JSON_HEADERS);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: 'invalid_request' });
    }
    expect(rpc.tokenHistory).not.toHaveBeenCalled();
  });

  it("token-service's 404 (not ours, unknown grant) and 400 (an ID token) pass through", async () => {
    rpc.tokenHistory.mockRejectedValueOnce(
      new OAuthError('invalid_request', {
        status: 404,
        description: 'the token is not one this server issued',
      }),
    );
    const res = await get(`token=${TOKEN}`);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: 'invalid_request',
      error_description: 'the token is not one this server issued',
    });
    rpc.tokenHistory.mockRejectedValueOnce(
      new OAuthError('unsupported_token_type', { status: 400, description: 'an ID token' }),
    );
    expect((await get(`token=${TOKEN}`)).json()).toMatchObject({ error: 'unsupported_token_type' });
  });
});
