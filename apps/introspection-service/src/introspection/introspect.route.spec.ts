import { Global, Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  CACHE_INVALIDATIONS,
  InMemoryCacheInvalidations,
  InMemoryReadModelCache,
  READ_MODEL_CACHE,
} from '@idp/cache';
import { CONFIG, loadConfig } from '@idp/config';
import { systemClock, TOKEN_RPC } from '@idp/contracts';
import { deriveTokenKeys, keyedHash, mintOpaqueToken, randomBytes } from '@idp/crypto';
import { encodeRecord, introspectionKey, REVOKED, type ActiveTokenRecord } from '@idp/domain';
import { CLOCK, createHttpApp, registry } from '@idp/nest-kit';
import { InvalidClient, TemporarilyUnavailable } from '@idp/oauth-errors';
import { CLIENT_INVALIDATION_CHANNEL } from './caller-authenticator';
import { refusalOutcome } from './introspect.route';
import { IntrospectionModule } from './introspection.module';

const ISSUER = 'https://idp.example.com';
const HASH_KEY = randomBytes(32).toString('base64url');
const keys = deriveTokenKeys(HASH_KEY);
const NOW = Math.floor(Date.now() / 1000);
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const RS = basic('rs', 'resource-server-secret');

const record: ActiveTokenRecord = {
  active: true,
  token_type: 'access_token',
  grant_id: 'g1',
  jti: 'j1',
  client_id: 'web',
  sub: 'alice',
  scope: 'api.read',
  aud: ['rs'],
  iat: NOW,
  exp: NOW + 300,
};

describe('POST /introspect', () => {
  let app: NestFastifyApplication;
  let url: string;
  const cache = new InMemoryReadModelCache({ sweepIntervalMs: 0 });
  const invalidations = new InMemoryCacheInvalidations();
  const authenticateClient = jest.fn();
  const introspect = jest.fn();
  const signIntrospectionResponse = jest.fn();

  beforeAll(async () => {
    @Global()
    @Module({
      providers: [
        {
          provide: CONFIG,
          useValue: loadConfig({ PORT: '0', ISSUER, TOKEN_HASH_KEY: HASH_KEY }),
        },
        { provide: CLOCK, useValue: systemClock },
        { provide: READ_MODEL_CACHE, useValue: cache },
        { provide: CACHE_INVALIDATIONS, useValue: invalidations },
        {
          provide: TOKEN_RPC,
          useValue: { authenticateClient, introspect, signIntrospectionResponse },
        },
      ],
      exports: [CONFIG, CLOCK, READ_MODEL_CACHE, CACHE_INVALIDATIONS, TOKEN_RPC],
    })
    class FakeInfra {}
    @Module({ imports: [FakeInfra, IntrospectionModule] })
    class Root {}
    app = await createHttpApp(Root, { logLevel: 'error' });
    await app.init();
    // Over a real socket: the route is served by node:http ahead of Fastify, which inject() skips.
    await app.listen(0, '127.0.0.1');
    url = `${await app.getUrl()}/introspect`;
  });
  afterAll(() => app.close());
  beforeEach(() => {
    jest.resetAllMocks();
    authenticateClient.mockImplementation(async ({ clientAuth }) => {
      if (clientAuth.secret !== 'resource-server-secret') throw new InvalidClient();
      return { clientId: clientAuth.clientId };
    });
    introspect.mockRejectedValue(new Error('unexpected read-through'));
  });

  const post = async (payload: string, headers: Record<string, string> = {}, query = '') => {
    const res = await fetch(`${url}${query}`, {
      method: 'POST',
      body: payload,
      headers: { ...FORM, ...headers },
    });
    const body = await res.text();
    return {
      statusCode: res.status,
      headers: Object.fromEntries(res.headers) as Record<string, string | undefined>,
      body,
      json: () => JSON.parse(body) as Record<string, unknown>,
    };
  };
  const stored = async (r: object = record) => {
    const token = mintOpaqueToken('at', keys.macKey, 'g1');
    const key = introspectionKey({
      kind: 'opaque_access_token',
      tokenHash: keyedHash(keys.tokenHashKey, token),
    });
    await cache.set(key, encodeRecord(r as ActiveTokenRecord));
    return token;
  };

  it('answers an active token to an audience, uncached, authenticated against our endpoint', async () => {
    const token = await stored();
    const res = await post(`token=${token}&token_type_hint=refresh_token`, { authorization: RS });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual({
      active: true,
      scope: 'api.read',
      client_id: 'web',
      token_type: 'Bearer',
      exp: NOW + 300,
      iat: NOW,
      nbf: NOW,
      sub: 'alice',
      aud: ['rs'],
      iss: ISSUER,
      jti: 'j1',
    });
    expect(authenticateClient).toHaveBeenCalledWith({
      clientAuth: {
        method: 'client_secret_basic',
        clientId: 'rs',
        secret: 'resource-server-secret',
      },
      endpoint: `${ISSUER}/introspect`,
    });
  });

  it('accepts client_secret_post, and answers exactly {"active":false} for a revoked or garbage token', async () => {
    const token = await stored(REVOKED);
    for (const t of [token, 'garbage']) {
      const res = await post(`token=${t}&client_id=rs&client_secret=resource-server-secret`);
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe('{"active":false}');
    }
  });

  it('remembers callers per replica until a client event is announced', async () => {
    await invalidations.publish(CLIENT_INVALIDATION_CHANNEL, 'client:other');
    const token = await stored();
    await post(`token=${token}`, { authorization: RS });
    await post(`token=${token}`, { authorization: RS });
    expect(authenticateClient).toHaveBeenCalledTimes(1);
    await invalidations.publish(CLIENT_INVALIDATION_CHANNEL, 'client:rs');
    await post(`token=${token}`, { authorization: RS });
    expect(authenticateClient).toHaveBeenCalledTimes(2);
  });

  it('wrong Basic credentials: 401 invalid_client with a Basic challenge', async () => {
    const res = await post('token=x', { authorization: basic('rs', 'wrong-secret-value') });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Basic/);
    expect(res.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('wrong client_secret_post: 401 invalid_client without a Basic challenge', async () => {
    const res = await post('token=x&client_id=rs&client_secret=wrong-secret-value');
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBeUndefined();
    expect(res.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('no client authentication, or a public client: 401 invalid_client', async () => {
    for (const payload of ['token=x', 'token=x&client_id=rs']) {
      const res = await post(payload);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: 'invalid_client' });
    }
    expect(authenticateClient).not.toHaveBeenCalled();
  });

  it.each([
    ['a missing token', 'client_id=rs&client_secret=resource-server-secret', FORM],
    ['a repeated token', 'token=a&token=b', FORM],
    ['a repeated hint', 'token=a&token_type_hint=a&token_type_hint=b', FORM],
    ['an oversized token', `token=${'a'.repeat(20_000)}`, FORM],
    ['the parameters in the query', 'token=a', FORM, '?token=a'],
  ])('%s: 400 invalid_request', async (_what, payload, headers, query = '') => {
    const res = await post(payload, { ...headers, authorization: RS }, query);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('a JSON body: 415 invalid_request, as at every form endpoint', async () => {
    const res = await post('{"token":"a"}', {
      'content-type': 'application/json',
      authorization: RS,
    });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toEqual({
      error: 'invalid_request',
      error_description:
        'unsupported content type: the request body must be application/x-www-form-urlencoded',
    });
  });

  it('read-through down on a miss: 503 temporarily_unavailable, never active', async () => {
    introspect.mockRejectedValue(new TemporarilyUnavailable('down'));
    const token = mintOpaqueToken('at', keys.macKey, 'g2');
    const res = await post(`token=${token}`, { authorization: RS });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ error: 'temporarily_unavailable' });
  });

  it('RFC 9701: a signed response for the caller when asked for', async () => {
    const token = await stored();
    signIntrospectionResponse.mockResolvedValue({ jwt: 'h.p.s' });
    const res = await post(`token=${token}`, {
      authorization: RS,
      accept: 'application/token-introspection+jwt',
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/token-introspection+jwt');
    expect(res.body).toBe('h.p.s');
    expect(signIntrospectionResponse).toHaveBeenCalledWith({
      audience: 'rs',
      claims: expect.objectContaining({ active: true, client_id: 'web' }),
    });
  });

  it('counts each answer by outcome and times it under the /introspect route', async () => {
    const answers = async () => {
      const metric = registry.getSingleMetric('idp_introspection_answers_total')!;
      const values = (await metric.get()).values;
      return Object.fromEntries(values.map((v) => [v.labels['outcome'], v.value]));
    };
    const timed = async () =>
      (await registry.getSingleMetricAsString('http_server_request_duration_seconds'))
        .split('\n')
        .filter((l) => l.startsWith('http_server_request_duration_seconds_count{'))
        .filter((l) => l.includes('http_route="/introspect"'))
        .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
    const before = await answers();
    const timedBefore = await timed();
    const token = await stored();
    await post(`token=${token}`, { authorization: RS }); // active
    await post('token=garbage', { authorization: RS }); // inactive
    await post('token=x', { authorization: basic('rs', 'wrong-secret-value') }); // 401
    await post('token=a&token=b', { authorization: RS }); // 400
    introspect.mockRejectedValue(new TemporarilyUnavailable('down'));
    await post(`token=${mintOpaqueToken('at', keys.macKey, 'g3')}`, { authorization: RS }); // 503
    const after = await answers();
    const moved = Object.fromEntries(
      Object.keys(after).map((k) => [k, (after[k] ?? 0) - (before[k] ?? 0)]),
    );
    expect(moved).toEqual({
      active: 1,
      inactive: 1,
      caller_refused: 1,
      invalid_request: 1,
      rate_limited: 0,
      unavailable: 1,
    });
    expect((await timed()) - timedBefore).toBe(5);
  });

  it.each([
    [401, 'caller_refused'],
    [429, 'rate_limited'],
    [400, 'invalid_request'],
    [413, 'invalid_request'],
    [503, 'unavailable'],
    [500, 'unavailable'],
  ])('a %i answer counts as %s', (status, outcome) => {
    expect(refusalOutcome(status)).toBe(outcome);
  });
});
