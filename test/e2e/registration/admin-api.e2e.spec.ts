import * as oidc from 'openid-client';
import { REDIRECT_URI } from '../oidc/seed';
import { bearerChallenge, rejectionOf, rpFor, userinfo } from '../support/rp';
import {
  adminRequest,
  bearer,
  codeFlow,
  INITIAL_ACCESS_TOKEN,
  startProvider,
  type Provider,
} from './provider';

// Logins and password changes cost scrypt work (~100 ms each alone, more on a busy CI machine).
jest.setTimeout(30_000);

/**
 * The admin API end to end, embedded mode: an operator creates a client and
 * a user, the user logs in through the code flow (validated by
 * openid-client), secrets rotate, and only the admin token opens the API.
 */
describe('admin API (embedded mode)', () => {
  let p: Provider;

  beforeAll(async () => {
    p = await startProvider();
  }, 120_000);
  afterAll(() => p?.stop());

  const admin = (method: string, path: string, body?: unknown) =>
    adminRequest(p.adminBase, method, path, body);

  it('creates a client and a user, and the user logs in through the code flow', async () => {
    const created = await admin('POST', '/clients', {
      client_id: 'admin-portal',
      redirect_uris: [REDIRECT_URI],
      scope: 'openid profile',
      skip_consent: true,
    });
    expect(created.status).toBe(201);
    const { client_secret } = (await created.json()) as { client_secret: string };

    const password = 'a long enough password for bob';
    const userRes = await admin('POST', '/users', {
      username: 'bob',
      password,
      claims: { name: 'Bob Builder' },
    });
    expect(userRes.status).toBe(201);
    const user = (await userRes.json()) as { sub: string };
    expect((await admin('POST', '/users', { username: 'BOB', password })).status).toBe(409);

    const client = rpFor(p.issuer, {
      client_id: 'admin-portal',
      client_secret,
      redirect_uris: [REDIRECT_URI],
    });
    const tokens = await codeFlow(p.base, client, { username: 'bob', password });
    expect(tokens.claims().sub).toBe(user.sub);
    expect(await userinfo(client, tokens)).toMatchObject({ sub: user.sub, name: 'Bob Builder' });

    const read = await admin('GET', `/users/${user.sub}`);
    expect(JSON.stringify(await read.json())).not.toMatch(/scrypt|password/i);
    expect((await admin('DELETE', `/users/${user.sub}`)).status).toBe(204);
    expect((await admin('GET', `/users/${user.sub}`)).status).toBe(404);
    // A deleted user's access token is dead at once.
    await expect(userinfo(client, tokens)).rejects.toEqual(bearerChallenge('invalid_token'));
  });

  it('deleting a client kills its access tokens at once', async () => {
    const secret = 'doomed-secret-0123456789abcdefghijkl';
    await admin('POST', '/clients', {
      client_id: 'doomed',
      client_secret: secret,
      redirect_uris: [REDIRECT_URI],
      skip_consent: true,
    });
    const password = 'a long enough password for dave';
    await admin('POST', '/users', { username: 'dave', password });
    const client = rpFor(p.issuer, {
      client_id: 'doomed',
      client_secret: secret,
      redirect_uris: [REDIRECT_URI],
    });
    const tokens = await codeFlow(p.base, client, { username: 'dave', password });
    await expect(userinfo(client, tokens)).resolves.toHaveProperty('sub');
    expect((await admin('DELETE', '/clients/doomed')).status).toBe(204);
    await expect(userinfo(client, tokens)).rejects.toEqual(bearerChallenge('invalid_token'));
  });

  it('changes a password: the new one logs in, the old one no longer', async () => {
    await admin('POST', '/clients', {
      client_id: 'portal-2',
      client_secret: 'portal-2-secret-0123456789abcdefghij',
      redirect_uris: [REDIRECT_URI],
      skip_consent: true,
    });
    const client = rpFor(p.issuer, {
      client_id: 'portal-2',
      client_secret: 'portal-2-secret-0123456789abcdefghij',
      redirect_uris: [REDIRECT_URI],
    });
    const { sub } = (await (
      await admin('POST', '/users', { username: 'carol', password: 'the first password' })
    ).json()) as { sub: string };
    const put = await admin('PUT', `/users/${sub}`, { password: 'the second password' });
    expect(put.status).toBe(200);
    const tokens = await codeFlow(p.base, client, {
      username: 'carol',
      password: 'the second password',
    });
    expect(tokens.claims().sub).toBe(sub);
    await expect(
      codeFlow(p.base, client, { username: 'carol', password: 'the first password' }),
    ).rejects.toThrow(/did not reach the RP/);
  });

  it('rotates a client secret; the old one stops working', async () => {
    const created = await admin('POST', '/clients', {
      client_id: 'rotating',
      grant_types: ['client_credentials'],
      response_types: [],
    });
    const { client_secret: old } = (await created.json()) as { client_secret: string };
    const rotated = await admin('POST', '/clients/rotating/secret');
    const { client_secret: fresh } = (await rotated.json()) as { client_secret: string };
    const grant = (secret: string) =>
      oidc.clientCredentialsGrant(
        rpFor(p.issuer, { client_id: 'rotating', client_secret: secret }),
      );
    await expect(grant(fresh)).resolves.toBeDefined();
    expect(await rejectionOf(grant(old))).toMatchObject({
      status: 401,
      schemes: ['basic'],
      body: { error: 'invalid_client' },
    });
  });

  it('a missing or wrong admin token is 401 invalid_token', async () => {
    for (const headers of [{}, bearer(INITIAL_ACCESS_TOKEN)]) {
      const res = await fetch(`${p.adminBase}/admin/users/anyone`, { headers });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: 'invalid_token' });
    }
  });
});
