import { startDistributedStack, type DistributedStack } from '../support/distributed-stack';
import type { ServiceProcess } from '../support/service-process';
import {
  basic,
  CLIENTS,
  clientCredentialsToken,
  FORM,
  introspect,
  revoke,
  writeIntrospectionSeed,
} from './introspection.fixtures';

/**
 * Guarantees 1 and 2 of ARCHITECTURE.md over real Kafka, Redis and
 * PostgreSQL, with two introspection-service processes: a token from /token
 * is active at once on both (read-through), and after /revoke returned no
 * answer from either replica is active, under ~1,000 concurrent calls.
 */
describe('distributed introspection: two replicas over Redis, read-through to token-service', () => {
  let stack: DistributedStack;
  let auth: ServiceProcess;
  let replicas: readonly ServiceProcess[];

  beforeAll(async () => {
    stack = await startDistributedStack({
      name: 'introspection',
      seedFile: writeIntrospectionSeed(),
      introspectionReplicas: 2,
    });
    auth = stack.auth;
    replicas = stack.introspection;
  }, 120_000);

  afterAll(() => stack?.stop(), 60_000);

  it.each([
    ['opaque', CLIENTS.opaque],
    ['JWT', CLIENTS.jwt],
  ])('(a) a fresh %s access token is active at once on both replicas', async (_f, client) => {
    const token = await clientCredentialsToken(auth.url, client);
    const now = Math.floor(Date.now() / 1000);
    for (const replica of replicas) {
      const res = await introspect(replica.url, token, client);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.body).toMatchObject({
        active: true,
        client_id: client.id,
        scope: 'reports:read',
        token_type: 'Bearer',
        iss: 'http://localhost:3000',
      });
      expect(res.body['exp']).toBeGreaterThan(now);
      expect(res.body['nbf']).toBe(res.body['iat']);
      expect(typeof res.body['jti']).toBe('string');
    }
    // Another client learns nothing about it.
    const other = await introspect(replicas[0]!.url, token, CLIENTS.other);
    expect(other.body).toEqual({ active: false });
  });

  it('(b) after /revoke returned, no replica answers active, under ~1,000 concurrent introspections', async () => {
    for (const client of [CLIENTS.opaque, CLIENTS.jwt]) {
      const token = await clientCredentialsToken(auth.url, client);
      expect((await introspect(replicas[1]!.url, token, client)).body['active']).toBe(true);
      let revokedAt = Number.POSITIVE_INFINITY;
      const late: Record<string, unknown>[] = [];
      const errors: number[] = [];
      const one = async (i: number) => {
        const started = Date.now();
        const res = await introspect(replicas[i % 2]!.url, token, client);
        if (res.status !== 200) errors.push(res.status);
        else if (started > revokedAt && res.body['active'] !== false) late.push(res.body);
      };
      const load = (async () => {
        const batch: Promise<void>[] = [];
        for (let i = 0; i < 1000; i++) {
          batch.push(one(i));
          if (i % 50 === 49) await new Promise((r) => setTimeout(r, 5));
        }
        await Promise.all(batch);
      })();
      await new Promise((r) => setTimeout(r, 50));
      expect(await revoke(auth.url, token, client)).toBe(200);
      revokedAt = Date.now();
      await load;
      expect(errors).toEqual([]);
      expect(late).toEqual([]);
      for (const replica of replicas) {
        expect((await introspect(replica.url, token, client)).body).toEqual({ active: false });
      }
    }
  }, 60_000);

  describe('(e) bad input: RFC errors, never a 500', () => {
    const post = (body: string | Uint8Array, headers: Record<string, string>) =>
      fetch(`${replicas[0]!.url}/introspect`, { method: 'POST', headers, body }).then(
        async (r) => ({ status: r.status, headers: r.headers, body: (await r.json()) as object }),
      );

    it('no or wrong client credentials: 401 invalid_client', async () => {
      const none = await post('token=x', FORM);
      expect(none.status).toBe(401);
      expect(none.body).toMatchObject({ error: 'invalid_client' });
      const wrong = await post('token=x', {
        ...FORM,
        authorization: basic({ id: CLIENTS.opaque.id, secret: 'not-the-secret-at-all' }),
      });
      expect(wrong.status).toBe(401);
      expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic/);
      expect(wrong.body).toMatchObject({ error: 'invalid_client' });
      const post_ = await post(
        `token=x&client_id=${CLIENTS.opaque.id}&client_secret=not-the-secret-at-all`,
        FORM,
      );
      expect(post_.status).toBe(401);
    });

    it('garbage tokens are simply inactive', async () => {
      for (const token of ['garbage', 'at_abc.def', 'a.b.c', 'a.b.c.d.e', 'x'.repeat(4000)]) {
        const res = await introspect(replicas[0]!.url, token, CLIENTS.opaque);
        expect([res.status, res.body]).toEqual([200, { active: false }]);
      }
    });

    it.each([
      ['a 1 MB token', `token=${'a'.repeat(1024 * 1024)}`, FORM, [400, 413]],
      ['a JSON body', '{"token":"x"}', { 'content-type': 'application/json' }, [400, 415]],
      ['no content type', 'token=x', {}, [400, 415]],
      ['a repeated token', 'token=a&token=b', FORM, [400]],
      ['no token', '', FORM, [400]],
    ])('%s: invalid_request', async (_what, body, headers, statuses) => {
      const res = await post(body, { ...headers, authorization: basic(CLIENTS.opaque) });
      expect(statuses).toContain(res.status);
      expect(res.body).toMatchObject({ error: 'invalid_request' });
    });
  });
});
