import * as oidc from 'openid-client';
import { bearerChallenge, rejectionOf } from '../support/rp';
import { bearer, INITIAL_ACCESS_TOKEN, startProvider, type Provider } from './provider';

/**
 * RFC 7591 / 7592 end to end, embedded mode: a strict RP library
 * (openid-client) registers itself with the initial access token, uses the
 * registration at /token, and reads, updates and deletes it with its
 * registration access token.
 */
describe('dynamic client registration (embedded mode)', () => {
  let p: Provider;

  beforeAll(async () => {
    p = await startProvider();
  }, 120_000);
  afterAll(() => p?.stop());

  const machineClient = {
    client_name: 'Batch job',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    scope: 'reports:read',
  };
  const register = (initialAccessToken = INITIAL_ACCESS_TOKEN, metadata: object = machineClient) =>
    p.clients.register({ ...metadata }, initialAccessToken);

  it('registers a client, which then gets a client_credentials token', async () => {
    const client = await register();
    const m = client.clientMetadata();
    expect(m.client_id).toEqual(expect.any(String));
    expect(m.client_secret).toEqual(expect.any(String));
    expect(m).toMatchObject({
      client_secret_expires_at: 0,
      client_id_issued_at: expect.any(Number),
      registration_access_token: expect.any(String),
      registration_client_uri: `${p.base}/register/${m.client_id}`,
      token_endpoint_auth_method: 'client_secret_basic',
    });
    const tokens = await oidc.clientCredentialsGrant(client, { scope: 'reports:read' });
    expect(tokens.access_token).toEqual(expect.any(String));
    expect(tokens.scope).toBe('reports:read');
  });

  it('refuses a wrong or missing initial access token, and a chosen client_id', async () => {
    await expect(register('wrong-initial-access-token')).rejects.toEqual(
      bearerChallenge('invalid_token'),
    );
    const none = await fetch(`${p.base}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(machineClient),
    });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
    await expect(
      register(INITIAL_ACCESS_TOKEN, { ...machineClient, client_id: 'mine' }),
    ).rejects.toMatchObject({ error: 'invalid_client_metadata' });
  });

  it('reports invalid metadata with RFC 7591 3.2.2 errors', async () => {
    await expect(
      register(INITIAL_ACCESS_TOKEN, { redirect_uris: ['https://rp.example.test/cb#fragment'] }),
    ).rejects.toMatchObject({ error: 'invalid_redirect_uri' });
    await expect(
      register(INITIAL_ACCESS_TOKEN, { ...machineClient, skip_consent: true }),
    ).rejects.toMatchObject({ error: 'invalid_client_metadata' });
  });

  it('reads, updates and deletes itself with its registration access token (RFC 7592)', async () => {
    const client = await register();
    const uri = String(client.clientMetadata()['registration_client_uri']);
    const rat = String(client.clientMetadata()['registration_access_token']);
    const read = await p.clients.read(uri, rat);
    expect(read.clientMetadata()).toMatchObject({
      client_id: client.clientMetadata().client_id,
      scope: 'reports:read',
    });

    // RFC 7592 2.2: every field of the last response, minus the server-managed ones.
    const {
      registration_access_token: _rat,
      registration_client_uri: _uri,
      client_id_issued_at: _iat,
      client_secret_expires_at: _exp,
      ...current
    } = client.clientMetadata();
    const put = await fetch(uri, {
      method: 'PUT',
      headers: { ...bearer(rat), 'content-type': 'application/json' },
      body: JSON.stringify({ ...current, client_name: 'Renamed job' }),
    });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ client_name: 'Renamed job' });
    // The secret was kept: the client still authenticates.
    await expect(oidc.clientCredentialsGrant(client)).resolves.toBeDefined();

    const del = await fetch(uri, { method: 'DELETE', headers: bearer(rat) });
    expect(del.status).toBe(204);
    expect(await rejectionOf(oidc.clientCredentialsGrant(client))).toMatchObject({
      status: 401,
      schemes: ['basic'],
      body: { error: 'invalid_client' },
    });
    expect((await fetch(uri, { headers: bearer(rat) })).status).toBe(401);
  });

  it('rejects wrong registration access tokens with 401 invalid_token', async () => {
    const a = (await register()).clientMetadata() as Record<string, string>;
    const b = (await register()).clientMetadata() as Record<string, string>;
    for (const headers of [
      bearer(b['registration_access_token']!), // another client's token
      bearer('rat_not-a-real-token'),
      {},
    ]) {
      const res = await fetch(a['registration_client_uri']!, { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
      expect(await res.json()).toMatchObject({ error: 'invalid_token' });
    }
    const text = await fetch(a['registration_client_uri']!, {
      method: 'PUT',
      headers: { ...bearer(a['registration_access_token']!), 'content-type': 'text/plain' },
      body: 'client_id=x',
    });
    expect(text.status).toBe(400);
    expect(await text.json()).toMatchObject({ error: 'invalid_request' });
  });
});
