import { ClientRegistry } from '../clients/client-registry.service';
import { ClientAdmin } from './client-admin.service';
import { oauthErrorOf, startAdminHarness, webMetadata, type AdminHarness } from './admin.fixtures';

/** The operator's client management inside token-service, over a real SQLite store. */
describe('ClientAdmin', () => {
  let h: AdminHarness;
  let admin: ClientAdmin;
  let registry: ClientRegistry;
  const notFound = { error: 'invalid_request', status: 404, description: 'no such client' };

  beforeAll(async () => {
    h = await startAdminHarness();
    admin = h.app.get(ClientAdmin);
    registry = h.app.get(ClientRegistry);
  });
  afterAll(() => h.close());

  it('registers with a chosen client_id, a chosen secret and operator-only settings', async () => {
    const secret = 'an-operator-chosen-secret-0123456789';
    const info = await admin.register(
      webMetadata({ client_id: 'crm', skip_consent: true, access_token_claims: ['roles'] }),
      secret,
    );
    expect(info).toMatchObject({
      source: 'admin',
      client_secret: secret,
      client_secret_expires_at: 0,
      metadata: { client_id: 'crm', skip_consent: true, access_token_claims: ['roles'] },
    });
    expect(info.registration_access_token).toBeUndefined();
    expect(registry.secretMatches((await registry.find('crm'))!, secret)).toBe(true);
  });

  it('generates the client_id when none is given, and never reuses a taken one', async () => {
    const info = await admin.register(webMetadata());
    const id = String(info.metadata['client_id']);
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(await oauthErrorOf(admin.register(webMetadata({ client_id: id })))).toMatchObject({
      error: 'invalid_request',
      status: 409,
    });
    await admin.delete(id);
    expect(await oauthErrorOf(admin.register(webMetadata({ client_id: id })))).toMatchObject({
      status: 409,
    });
  });

  it('reads, and answers 404 for an unknown or deleted client', async () => {
    await admin.register(webMetadata({ client_id: 'reader' }));
    expect(await admin.read('reader')).toMatchObject({ metadata: { client_id: 'reader' } });
    expect((await admin.read('reader')).client_secret).toBeUndefined();
    expect(await oauthErrorOf(admin.read('nobody'))).toEqual(expect.objectContaining(notFound));
    await admin.delete('reader');
    expect(await oauthErrorOf(admin.read('reader'))).toMatchObject({ status: 404 });
    expect(await oauthErrorOf(admin.delete('reader'))).toMatchObject({ status: 404 });
  });

  it('replaces the metadata; a GET response can be edited and PUT back', async () => {
    await admin.register(webMetadata({ client_id: 'editable' }));
    const { metadata, source, client_id_issued_at, client_secret_expires_at } =
      await admin.read('editable');
    const edited = { ...metadata, source, client_id_issued_at, client_secret_expires_at };
    const replaced = await admin.replace('editable', { ...edited, client_name: 'Renamed' });
    expect(replaced.metadata).toMatchObject({ client_id: 'editable', client_name: 'Renamed' });
    expect(replaced.client_secret).toBeUndefined(); // kept, not reissued
    expect(
      await oauthErrorOf(admin.replace('editable', { ...edited, client_id: 'other' })),
    ).toMatchObject({ error: 'invalid_request', status: 400 });
    expect(await oauthErrorOf(admin.replace('nobody', webMetadata()))).toMatchObject({
      status: 404,
    });
    expect(
      await oauthErrorOf(admin.replace('editable', webMetadata({ redirect_uris: ['nope'] }))),
    ).toMatchObject({ error: 'invalid_redirect_uri', status: 400 });
  });

  it('rotates a secret: the new one works at once, the old one no longer', async () => {
    const first = await admin.register(webMetadata({ client_id: 'rotating' }));
    const rotated = await admin.rotateSecret('rotating');
    expect(rotated).toMatchObject({ client_id: 'rotating', client_secret_expires_at: 0 });
    const client = (await registry.find('rotating'))!;
    expect(registry.secretMatches(client, rotated.client_secret)).toBe(true);
    expect(registry.secretMatches(client, first.client_secret!)).toBe(false);
    expect(await oauthErrorOf(admin.rotateSecret('nobody'))).toMatchObject({ status: 404 });
    await admin.register(webMetadata({ client_id: 'spa', token_endpoint_auth_method: 'none' }));
    expect(await oauthErrorOf(admin.rotateSecret('spa'))).toMatchObject({
      error: 'invalid_client_metadata',
      status: 400,
    });
  });

  it('client_secret_jwt (ADR 0031): the secret shown once, sealed in the store, never read back', async () => {
    const csjwt = { client_id: 'hmac', token_endpoint_auth_method: 'client_secret_jwt' };
    const info = await admin.register(webMetadata(csjwt));
    expect(info.client_secret).toMatch(/^[A-Za-z0-9_-]{86}$/);
    const stored = (await registry.find('hmac'))!;
    expect(registry.hmacSecret(stored)).toBe(info.client_secret);
    const read = await admin.read('hmac');
    expect(read.client_secret).toBeUndefined();
    expect(JSON.stringify(read)).not.toContain(stored.sealedSecret!);
    const rotated = await admin.rotateSecret('hmac');
    expect(registry.hmacSecret((await registry.find('hmac'))!)).toBe(rotated.client_secret);
    // A chosen secret too short to key HS256 is invalid metadata, not a server error.
    expect(
      await oauthErrorOf(
        admin.register(webMetadata({ ...csjwt, client_id: 'short' }), 'x'.repeat(31)),
      ),
    ).toMatchObject({ error: 'invalid_client_metadata', status: 400 });
  });
});
