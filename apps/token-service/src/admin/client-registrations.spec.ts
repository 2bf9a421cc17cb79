import { clientStream } from '@idp/domain';
import { ClientRegistry } from '../clients/client-registry.service';
import { ClientAdmin } from './client-admin.service';
import { ClientRegistrations } from './client-registrations.service';
import { oauthErrorOf, startAdminHarness, webMetadata, type AdminHarness } from './admin.fixtures';

/** RFC 7591 registration and RFC 7592 management inside token-service, over a real SQLite store. */
describe('ClientRegistrations (RFC 7591 / 7592)', () => {
  let h: AdminHarness;
  let registrations: ClientRegistrations;
  let registry: ClientRegistry;
  const invalidToken = { error: 'invalid_token', status: 401 };

  beforeAll(async () => {
    h = await startAdminHarness();
    registrations = h.app.get(ClientRegistrations);
    registry = h.app.get(ClientRegistry);
  });
  afterAll(() => h.close());

  const registered = async (over: Record<string, unknown> = {}) => {
    const info = await registrations.register(webMetadata(over));
    return { info, clientId: String(info.metadata['client_id']) };
  };

  it('assigns client_id, secret and registration access token, and stores only their hashes', async () => {
    const { info, clientId } = await registered();
    expect(info).toMatchObject({
      source: 'dynamic_registration',
      client_secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      client_secret_expires_at: 0,
      client_id_issued_at: expect.any(Number),
      registration_access_token: expect.stringMatching(/^rat_/),
    });
    // RFC 7591 3.2.1: every registered value, defaults included.
    expect(info.metadata).toMatchObject({
      client_id: clientId,
      token_endpoint_auth_method: 'client_secret_basic',
      response_types: ['code'],
      skip_consent: false,
    });
    const events = JSON.stringify(await h.store.readStream(clientStream(clientId)));
    expect(events).toContain('registrationTokenHash');
    expect(events).not.toContain(info.client_secret!);
    expect(events).not.toContain(info.registration_access_token!);
  });

  it('gives a public client no secret', async () => {
    const { info } = await registered({ token_endpoint_auth_method: 'none' });
    expect(info.client_secret).toBeUndefined();
    expect(info.client_secret_expires_at).toBeUndefined();
  });

  it('refuses server-issued fields and operator-only settings', async () => {
    for (const field of ['client_id', 'client_secret', 'registration_access_token'])
      expect(await oauthErrorOf(registrations.register(webMetadata({ [field]: 'x' })))).toEqual(
        expect.objectContaining({
          error: 'invalid_client_metadata',
          description: `${field} is issued by the server (RFC 7591 3.2.1)`,
        }),
      );
    expect(
      await oauthErrorOf(registrations.register(webMetadata({ skip_consent: true }))),
    ).toMatchObject({
      error: 'invalid_client_metadata',
      description: 'skip_consent can only be set by an operator',
    });
  });

  it('reports bad redirect URIs as invalid_redirect_uri (RFC 7591 3.2.2)', async () => {
    expect(
      await oauthErrorOf(
        registrations.register(webMetadata({ redirect_uris: ['https://rp.example/cb#frag'] })),
      ),
    ).toMatchObject({ error: 'invalid_redirect_uri', status: 400 });
  });

  it('reads with the registration access token only (RFC 7592 2.1)', async () => {
    const a = await registered();
    const b = await registered();
    const token = a.info.registration_access_token!;
    expect(await registrations.read(a.clientId, token)).toMatchObject({
      metadata: { client_id: a.clientId },
      registration_access_token: token,
      client_secret_expires_at: 0,
    });
    expect((await registrations.read(a.clientId, token)).client_secret).toBeUndefined();
    for (const [id, t] of [
      [a.clientId, 'rat_wrong'],
      [a.clientId, b.info.registration_access_token!], // another client's token
      ['no-such-client', token],
    ] as const)
      expect(await oauthErrorOf(registrations.read(id, t))).toMatchObject(invalidToken);
  });

  it('refuses RFC 7592 access to clients registered by an operator', async () => {
    const admin = await h.app.get(ClientAdmin).register(webMetadata({ client_id: 'ops-rp' }));
    expect(admin.registration_access_token).toBeUndefined();
    expect(await oauthErrorOf(registrations.read('ops-rp', 'rat_anything'))).toMatchObject(
      invalidToken,
    );
  });

  describe('update (RFC 7592 2.2)', () => {
    it('replaces the metadata and keeps the secret when it is omitted', async () => {
      const { info, clientId } = await registered();
      const token = info.registration_access_token!;
      const updated = await registrations.update(clientId, token, {
        client_id: clientId,
        redirect_uris: ['https://rp.example/cb2'],
        client_name: null, // RFC 7592 2.2: null deletes, like omission
        client_secret: null,
      });
      expect(updated.metadata).toMatchObject({
        redirect_uris: ['https://rp.example/cb2'],
        grant_types: ['authorization_code'], // omitted → default, a full replace
      });
      expect(updated.metadata['client_name']).toBeUndefined();
      expect(updated.client_secret).toBeUndefined();
      expect(registry.secretMatches((await registry.find(clientId))!, info.client_secret!)).toBe(
        true,
      );
    });

    it('accepts the current secret, refuses any other', async () => {
      const { info, clientId } = await registered();
      const token = info.registration_access_token!;
      const body = { client_id: clientId, redirect_uris: ['https://rp.example/cb'] };
      await expect(
        registrations.update(clientId, token, { ...body, client_secret: info.client_secret! }),
      ).resolves.toBeDefined();
      expect(
        await oauthErrorOf(
          registrations.update(clientId, token, { ...body, client_secret: 'chosen-by-me' }),
        ),
      ).toMatchObject({ error: 'invalid_request', status: 400 });
    });

    it('requires the client_id and refuses server-managed fields', async () => {
      const { info, clientId } = await registered();
      const token = info.registration_access_token!;
      const body = { redirect_uris: ['https://rp.example/cb'] };
      expect(await oauthErrorOf(registrations.update(clientId, token, body))).toMatchObject({
        error: 'invalid_request',
        description: "client_id must be present and be the client's own (RFC 7592 2.2)",
      });
      expect(
        await oauthErrorOf(
          registrations.update(clientId, token, {
            ...body,
            client_id: clientId,
            registration_access_token: token,
          }),
        ),
      ).toMatchObject({ error: 'invalid_request' });
    });

    it('issues a secret when a public client becomes confidential', async () => {
      const { info, clientId } = await registered({ token_endpoint_auth_method: 'none' });
      const updated = await registrations.update(clientId, info.registration_access_token!, {
        client_id: clientId,
        redirect_uris: ['https://rp.example/cb'],
        token_endpoint_auth_method: 'client_secret_post',
      });
      expect(updated.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    });
  });

  it('deletes the client, and the token dies with it (RFC 7592 2.3)', async () => {
    const { info, clientId } = await registered();
    const token = info.registration_access_token!;
    await registrations.delete(clientId, token);
    expect(await registry.find(clientId)).toBeUndefined();
    expect(await oauthErrorOf(registrations.read(clientId, token))).toMatchObject(invalidToken);
    expect(await oauthErrorOf(registrations.delete(clientId, token))).toMatchObject(invalidToken);
  });
});
