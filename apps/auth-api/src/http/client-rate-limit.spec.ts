import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { InvalidClient } from '@idp/oauth-errors';
import { createAuthApi, FORM_HEADERS, overSocket, type SocketAnswer } from './auth-api.fixtures';

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/** /token's per-client limit (ADR 0016): 1 per 10 s, burst 3; every request from its own address. */
describe('per-client rate limit at /token', () => {
  let app: NestFastifyApplication;
  let address = 0;
  let request: (path: string, init: RequestInit) => Promise<SocketAnswer>;
  const token = jest.fn();

  beforeAll(async () => {
    token.mockImplementation(async ({ clientAuth }) => {
      if (clientAuth.secret !== 'right') throw new InvalidClient();
      return { access_token: 'at', token_type: 'Bearer', expires_in: 60 };
    });
    app = await createAuthApi({
      token: { token },
      // One trusted proxy: X-Forwarded-For gives each request its own address over one socket.
      env: { RATE_LIMIT_TOKEN: '0.1', RATE_LIMIT_BURST_SECONDS: '30', TRUST_PROXY: '1' },
    });
    request = await overSocket(app);
  });
  afterAll(() => app.close());

  const post = (secret: string) =>
    request('/token', {
      method: 'POST',
      headers: {
        ...FORM_HEADERS,
        authorization: basic('victim', secret),
        'x-forwarded-for': `10.1.0.${++address}`,
      },
      body: 'grant_type=client_credentials',
    });

  it('refunds a wrong secret, so someone presenting the id does not spend the client budget', async () => {
    for (let i = 0; i < 5; i++) expect((await post('forged')).statusCode).toBe(401);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await post('right')).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it("passes the trusted proxy's X-Forwarded-For entry on as the client IP (ADR 0038's reuse record)", () => {
    const ips = token.mock.calls.map(([req]) => req.clientIp);
    expect(ips[0]).toBe('10.1.0.1');
    expect(new Set(ips).size).toBe(ips.length);
  });
});
