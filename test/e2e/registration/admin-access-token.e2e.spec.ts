import { REDIRECT_URI } from '../oidc/seed';
import { rpFor } from '../support/rp';
import { adminRequest, codeFlow, startProvider, type Provider } from './provider';

// Logins cost scrypt work (~100 ms alone, more on a busy CI machine).
jest.setTimeout(60_000);

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/**
 * The admin API with access tokens (ADR 0017), embedded mode: an operator
 * client granted idp:admin gets a client_credentials token (opaque or JWT)
 * and calls the admin listener with it; its events name it. idp:admin.read
 * only reads; ID tokens, tokens without the scope and revoked tokens are
 * refused; the public port has no admin API at all.
 */
describe('admin API with access tokens (embedded mode)', () => {
  let p: Provider;
  const secret = (clientId: string) => `${clientId}-secret-0123456789abcdefghijklmnop`;

  beforeAll(async () => {
    p = await startProvider();
    for (const [clientId, scope, format] of [
      ['ops', 'idp:admin', 'opaque'],
      ['ops-jwt', 'idp:admin', 'jwt'],
      ['auditor', 'idp:admin.read', 'opaque'],
      ['reporter', 'reports:read', 'opaque'],
    ] as const) {
      const res = await adminRequest(p.adminBase, 'POST', '/clients', {
        client_id: clientId,
        client_secret: secret(clientId),
        grant_types: ['client_credentials'],
        response_types: [],
        scope,
        access_token_format: format,
      });
      expect([clientId, res.status]).toEqual([clientId, 201]);
    }
  }, 120_000);
  afterAll(() => p?.stop());

  async function tokenOf(clientId: string): Promise<string> {
    const res = await fetch(`${p.base}/token`, {
      method: 'POST',
      headers: {
        authorization: basic(clientId, secret(clientId)),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { access_token: string }).access_token;
  }

  const eventsSince = async (position: number) =>
    (await p.eventStore.readAll(String(position), 100_000)).filter(
      (e) => e.type.startsWith('user.') || e.type.startsWith('session.'),
    );
  const lastPosition = async () =>
    Number((await p.eventStore.readAll('0', 1_000_000)).at(-1)?.position ?? 0);

  it.each(['ops', 'ops-jwt'])(
    '%s (idp:admin) creates and deletes a user; every event names it as the actor',
    async (clientId) => {
      const token = await tokenOf(clientId);
      expect(token.startsWith('at_')).toBe(clientId === 'ops');
      const from = await lastPosition();
      const created = await adminRequest(
        p.adminBase,
        'POST',
        '/users',
        { username: `made-by-${clientId}`, password: 'a long enough password' },
        token,
      );
      expect(created.status).toBe(201);
      const { sub } = (await created.json()) as { sub: string };
      expect(
        (await adminRequest(p.adminBase, 'DELETE', `/users/${sub}`, undefined, token)).status,
      ).toBe(204);
      const events = await eventsSince(from);
      expect(events.map((e) => e.type)).toEqual(
        expect.arrayContaining(['user.created', 'user.deleted']),
      );
      for (const e of events.filter((x) => x.type.startsWith('user.')))
        expect([e.type, e.actor]).toEqual([e.type, { kind: 'client', client_id: clientId }]);
    },
  );

  it('the ADMIN_TOKEN is named as such on its events', async () => {
    const from = await lastPosition();
    const created = await adminRequest(p.adminBase, 'POST', '/users', {
      username: 'made-by-admin-token',
      password: 'a long enough password',
    });
    expect(created.status).toBe(201);
    const [event] = (await eventsSince(from)).filter((e) => e.type === 'user.created');
    expect(event?.actor).toEqual({ kind: 'admin_token' });
  });

  it('idp:admin.read reads, and a write is 403 insufficient_scope', async () => {
    const token = await tokenOf('auditor');
    expect((await adminRequest(p.adminBase, 'GET', '/clients/ops', undefined, token)).status).toBe(
      200,
    );
    const write = await adminRequest(p.adminBase, 'POST', '/clients/ops/secret', undefined, token);
    expect(write.status).toBe(403);
    expect(await write.json()).toMatchObject({ error: 'insufficient_scope' });
    expect(write.headers.get('www-authenticate')).toMatch(
      /^Bearer .*error="insufficient_scope".*scope="idp:admin"/,
    );
  });

  it('a token without the scope, an ID token and a revoked token are 401 invalid_token', async () => {
    const refused: string[] = [await tokenOf('reporter')];
    // An ID token and an access token of a user's login (scope openid profile).
    expect(
      (
        await adminRequest(p.adminBase, 'POST', '/clients', {
          client_id: 'web',
          client_secret: secret('web'),
          redirect_uris: [REDIRECT_URI],
          scope: 'openid profile',
          skip_consent: true,
        })
      ).status,
    ).toBe(201);
    const password = 'a long enough password for erin';
    await adminRequest(p.adminBase, 'POST', '/users', { username: 'erin', password });
    const web = rpFor(p.issuer, {
      client_id: 'web',
      client_secret: secret('web'),
      redirect_uris: [REDIRECT_URI],
    });
    const login = await codeFlow(p.base, web, { username: 'erin', password });
    refused.push(login.id_token!, login.access_token!);
    // The operator ends erin's session: session.ended and the revocations name it.
    const sid = String(login.claims()['sid']);
    const from = await lastPosition();
    const ended = await adminRequest(
      p.adminBase,
      'POST',
      `/sessions/${sid}/end`,
      undefined,
      await tokenOf('ops'),
    );
    expect(await ended.json()).toEqual({ ended: true });
    const caused = await p.eventStore.readAll(String(from), 100_000);
    const ops = { kind: 'client', client_id: 'ops' };
    expect(caused.filter((e) => e.type === 'session.ended').map((e) => e.actor)).toEqual([ops]);
    // The grants are revoked by the call (named) or, if it got there first, by
    // token-service's consumer of session.ended (no caller: nobody called it).
    for (const e of caused.filter((x) => x.type === 'grant.revoked'))
      expect([undefined, ops]).toContainEqual(e.actor);
    // An admin token, revoked (RFC 7009) by its own client.
    const revoked = await tokenOf('ops');
    const revoke = await fetch(`${p.base}/revoke`, {
      method: 'POST',
      headers: {
        authorization: basic('ops', secret('ops')),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token: revoked }),
    });
    expect(revoke.status).toBe(200);
    refused.push(revoked);
    for (const token of refused) {
      const res = await adminRequest(p.adminBase, 'GET', '/clients/ops', undefined, token);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: 'invalid_token' });
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
    }
  });

  it('has no admin API on the public port, whatever the credential', async () => {
    const token = await tokenOf('ops');
    const res = await adminRequest(p.base, 'GET', '/clients/ops', undefined, token);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'invalid_request', error_description: 'not found' });
  });

  it('serves its OpenAPI document on the admin port', async () => {
    const res = await fetch(`${p.adminBase}/admin/openapi.json`);
    expect(res.status).toBe(200);
    const document = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toContain('/admin/users/{sub}');
    expect((await fetch(`${p.base}/admin/openapi.json`)).status).toBe(404);
  });
});
