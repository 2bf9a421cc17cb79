import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClientAdmin } from './client-admin.service';
import { ClientRegistrations } from './client-registrations.service';
import { oauthErrorOf, startAdminHarness, webMetadata, type AdminHarness } from './admin.fixtures';

/**
 * Issue #13 (server-side request forgery): every way a client is registered
 * or changed refuses a backchannel_logout_uri or jwks_uri on an internal
 * host, as invalid_client_metadata naming the field, under a production
 * ISSUER and an empty OUTBOUND_ALLOW.
 */
const EXAMPLES = [
  [
    'https://169.254.169.254/latest/meta-data',
    '169.254.169.254 is a link-local address (169.254.0.0/16)',
  ],
  ['http://127.0.0.1:6379/', '127.0.0.1 is a loopback address (127.0.0.0/8)'],
  [
    'https://kubernetes.default.svc/api',
    'kubernetes.default.svc is a cluster-internal service name (*.svc)',
  ],
] as const;

const FIELDS = ['backchannel_logout_uri', 'jwks_uri'] as const;

const withUri = (field: (typeof FIELDS)[number], uri: string) =>
  field === 'jwks_uri'
    ? webMetadata({ token_endpoint_auth_method: 'private_key_jwt', jwks_uri: uri })
    : webMetadata({ backchannel_logout_uri: uri });

const refusal = (field: string, why: string) => ({
  error: 'invalid_client_metadata',
  status: 400,
  description: `${field} must not point to an internal host: ${why}`,
});

describe('registration refuses URIs we would call on internal hosts', () => {
  let h: AdminHarness;
  beforeAll(async () => {
    h = await startAdminHarness({ ISSUER: 'https://idp.example' });
  });
  afterAll(() => h.close());

  describe.each(FIELDS)('%s', (field) => {
    it.each(EXAMPLES)('RFC 7591 POST /register: %s', async (uri, why) => {
      expect(
        await oauthErrorOf(h.app.get(ClientRegistrations).register(withUri(field, uri))),
      ).toMatchObject(refusal(field, why));
    });

    it.each(EXAMPLES)('RFC 7592 PUT /register/:id: %s', async (uri, why) => {
      const registrations = h.app.get(ClientRegistrations);
      const info = await registrations.register(webMetadata());
      const clientId = String(info.metadata['client_id']);
      const token = info.registration_access_token!;
      const { client_id: _id, ...current } = info.metadata;
      expect(
        await oauthErrorOf(
          registrations.update(clientId, token, {
            ...current,
            client_id: clientId,
            ...withUri(field, uri),
          }),
        ),
      ).toMatchObject(refusal(field, why));
    });

    it.each(EXAMPLES)('admin API POST and PUT /admin/clients: %s', async (uri, why) => {
      const admin = h.app.get(ClientAdmin);
      expect(await oauthErrorOf(admin.register(withUri(field, uri)))).toMatchObject(
        refusal(field, why),
      );
      const created = await admin.register(webMetadata());
      const clientId = String(created.metadata['client_id']);
      expect(
        await oauthErrorOf(
          admin.replace(clientId, { client_id: clientId, ...withUri(field, uri) }),
        ),
      ).toMatchObject(refusal(field, why));
    });
  });

  it('accepts a public host, and whatever OUTBOUND_ALLOW names', async () => {
    const admin = h.app.get(ClientAdmin);
    await admin.register(webMetadata({ backchannel_logout_uri: 'https://rp.example/bcl' }));
    const dev = await startAdminHarness({
      ISSUER: 'https://idp.example',
      OUTBOUND_ALLOW: 'kubernetes.default.svc,169.254.0.0/16,127.0.0.1',
    });
    try {
      for (const [uri] of EXAMPLES)
        await dev.app.get(ClientAdmin).register(webMetadata({ backchannel_logout_uri: uri }));
    } finally {
      await dev.close();
    }
  });
});

describe('the seed file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seed-ssrf-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(FIELDS)(
    'stops the start-up on a %s on an internal host, naming the field',
    async (field) => {
      for (const [uri, why] of EXAMPLES) {
        const file = join(dir, `${field}.json`);
        writeFileSync(
          file,
          JSON.stringify({
            clients: [
              {
                client_id: 'seeded',
                client_secret: 'seeded-secret-0123456789',
                ...withUri(field, uri),
                ...(field === 'jwks_uri' ? { client_secret: undefined } : {}),
              },
            ],
          }),
        );
        await expect(
          startAdminHarness({ ISSUER: 'https://idp.example', SEED_FILE: file }),
        ).rejects.toMatchObject({
          error: 'invalid_client_metadata',
          description: `${field} must not point to an internal host: ${why}`,
        });
      }
    },
  );

  it('seeds a loopback back-channel URI when the issuer is on loopback (npm start, the tests)', async () => {
    const file = join(dir, 'local.json');
    writeFileSync(
      file,
      JSON.stringify({
        clients: [
          {
            client_id: 'local',
            client_secret: 'seeded-secret-0123456789',
            ...webMetadata({ backchannel_logout_uri: 'http://127.0.0.1:4000/bcl' }),
          },
        ],
      }),
    );
    const local = await startAdminHarness({ ISSUER: 'http://127.0.0.1:3000', SEED_FILE: file });
    await local.close();
  });
});
