import type { INestApplicationContext } from '@nestjs/common';
import type { TypeOrmEventStore } from '@idp/eventstore';
import { registry } from '@idp/nest-kit';
import type { ClientAuthentication } from '@idp/contracts';
import { oauthErrorOf as oauthError } from './admin/admin.fixtures';
import { ClientRegistry } from './clients/client-registry.service';
import { TokenEndpoint } from './grants/token-endpoint.service';
import { startTokenServiceHarness, type TokenServiceHarness } from './token-service.fixtures';

/**
 * The token endpoint's pipeline inside token-service, over a real SQLite
 * event store: the errors RFC 6749 5.2 prescribes, in the order a client
 * meets them.
 */
describe('TokenEndpoint', () => {
  let h: TokenServiceHarness;
  let app: INestApplicationContext;
  let store: TypeOrmEventStore;
  let endpoint: TokenEndpoint;
  const secret = 'svc-secret-0123456789abcdef0123';
  const basic = (id: string, s: string) => ({
    method: 'client_secret_basic' as const,
    clientId: id,
    secret: s,
  });
  const call = (
    params: Record<string, string>,
    auth: ClientAuthentication = basic('svc', secret),
  ) => endpoint.handle({ params, clientAuth: auth, endpoint: 'http://localhost:3000/token' });

  beforeAll(async () => {
    h = await startTokenServiceHarness({ SIGNING_KEY_ALGS: 'RS256,ES256' });
    ({ app, store } = h);
    endpoint = app.get(TokenEndpoint);
    await app.get(ClientRegistry).register(
      {
        client_id: 'svc',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope: 'a b',
        token_endpoint_auth_method: 'client_secret_basic',
      },
      'admin',
      secret,
    );
  });
  afterAll(async () => {
    await h.close();
  });

  it('issues a client_credentials token narrowed to the requested scope', async () => {
    const res = await call({ grant_type: 'client_credentials', scope: 'a' });
    expect(res).toMatchObject({ token_type: 'Bearer', scope: 'a', expires_in: 3600 });
    expect(res.access_token).toMatch(/^at_/);
  });

  it('requires grant_type', async () => {
    expect(await oauthError(call({}))).toMatchObject({
      error: 'invalid_request',
      status: 400,
      description: 'grant_type is required',
    });
  });

  it('refuses an unknown grant type before authenticating', async () => {
    expect(await oauthError(call({ grant_type: 'password' }, basic('svc', 'wrong')))).toMatchObject(
      { error: 'unsupported_grant_type', status: 400 },
    );
  });

  it('answers a wrong secret and an unknown client with one invalid_client', async () => {
    for (const auth of [basic('svc', 'wrong-secret'), basic('nobody', secret)]) {
      const err = await oauthError(call({ grant_type: 'client_credentials' }, auth));
      expect(err).toMatchObject({
        error: 'invalid_client',
        status: 401,
        description: 'client authentication failed',
      });
    }
    // The wrong method is invalid_client too, but says which one the client registered.
    expect(
      await oauthError(
        call(
          { grant_type: 'client_credentials' },
          { method: 'client_secret_post' as const, clientId: 'svc', secret },
        ),
      ),
    ).toMatchObject({
      error: 'invalid_client',
      status: 401,
      description: expect.stringMatching(
        /registered for client_secret_basic, but the request used client_secret_post/,
      ),
    });
    const { headers } = await oauthError(
      call({ grant_type: 'client_credentials' }, basic('svc', 'x')),
    );
    expect((headers as Record<string, string>)['WWW-Authenticate']).toMatch(/^Basic/);
  });

  it('refuses a grant type the client did not register', async () => {
    expect(
      await oauthError(call({ grant_type: 'refresh_token', refresh_token: 'rt_x' })),
    ).toMatchObject({ error: 'unauthorized_client' });
  });

  it('refuses a scope beyond the registration', async () => {
    expect(
      await oauthError(call({ grant_type: 'client_credentials', scope: 'a c' })),
    ).toMatchObject({ error: 'invalid_scope' });
  });

  it('records every issuance as an event before answering', async () => {
    const before = (await store.readAll('0', 10_000)).length;
    await call({ grant_type: 'client_credentials' });
    const events = await store.readAll('0', 10_000);
    expect(events.length).toBe(before + 1);
    const issued = events.at(-1)!;
    expect(issued.type).toBe('grant.access_token_issued');
    expect(JSON.stringify(issued.data)).not.toMatch(/at_[A-Za-z0-9-]+\./); // the token itself is never stored
  });

  it('counts issued tokens by grant type and format, and nothing for a refused request', async () => {
    const issued = async () =>
      (await registry.getSingleMetric('idp_tokens_issued_total')!.get()).values
        .filter((v) => v.labels['grant_type'] === 'client_credentials')
        .map((v) => `${v.labels['token_type']} ${v.labels['format']} ${v.value}`);
    const count = async () =>
      (await registry.getSingleMetric('idp_tokens_issued_total')!.get()).values.reduce(
        (n, v) => n + v.value,
        0,
      );
    const total = await count();
    const opaque = (await issued()).find((l) => l.startsWith('access_token opaque'));
    const already = opaque === undefined ? 0 : Number(opaque.split(' ')[2]);
    await call({ grant_type: 'client_credentials' });
    await call({ grant_type: 'client_credentials', scope: 'a' });
    await oauthError(call({ grant_type: 'client_credentials', scope: 'a c' }));
    expect(await issued()).toEqual([`access_token opaque ${already + 2}`]);
    expect((await count()) - total).toBe(2);
  });
});
