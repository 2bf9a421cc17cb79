import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { InvalidClient } from '@idp/oauth-errors';
import { createAuthApi, FORM_HEADERS } from './auth-api.fixtures';

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/** /token's per-client limit (ADR 0016): 1 per 10 s, burst 3; every request from its own address. */
describe('per-client rate limit at /token', () => {
  let app: NestFastifyApplication;
  let address = 0;
  const token = jest.fn();

  beforeAll(async () => {
    token.mockImplementation(async ({ clientAuth }) => {
      if (clientAuth.secret !== 'right') throw new InvalidClient();
      return { access_token: 'at', token_type: 'Bearer', expires_in: 60 };
    });
    app = await createAuthApi({
      token: { token },
      env: { RATE_LIMIT_TOKEN: '0.1', RATE_LIMIT_BURST_SECONDS: '30' },
    });
  });
  afterAll(() => app.close());

  const post = (secret: string) =>
    app.inject({
      method: 'POST',
      url: '/token',
      remoteAddress: `10.1.0.${++address}`,
      headers: { ...FORM_HEADERS, authorization: basic('victim', secret) },
      payload: 'grant_type=client_credentials',
    });

  it('refunds a wrong secret, so someone presenting the id does not spend the client budget', async () => {
    for (let i = 0; i < 5; i++) expect((await post('forged')).statusCode).toBe(401);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await post('right')).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});
