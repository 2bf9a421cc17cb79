import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from '@idp/crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { loadConfig } from '@idp/config';
import { OutboundError } from '@idp/outbound';
import { startAdminHarness, type AdminHarness } from '../admin/admin.fixtures';
import { ClientAdmin } from '../admin/client-admin.service';
import { ClientAuthenticator } from './client-authenticator';
import { ClientJwks } from './client-jwks';
import { ClientRegistry } from './client-registry.service';
import { TokenServiceOutbound } from './outbound-client.provider';

const ISSUER = 'http://127.0.0.1:3000';
const TOKEN_ENDPOINT = `${ISSUER}/token`;

/**
 * private_key_jwt with a jwks_uri (RFC 7523, OIDC Core 9): the key set is
 * fetched through the guarded outbound client, so a registered URI is
 * checked again, resolved, every time it is called.
 */
describe('ClientJwks (jwks_uri)', () => {
  let h: AdminHarness;
  let rp: Server;
  let jwksUri: string;
  let served: { keys: JWK[] };
  let fetches = 0;
  let signingKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  const kid = 'rp-key-1';

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    signingKey = pair.privateKey;
    served = { keys: [{ ...(await exportJWK(pair.publicKey)), kid, alg: 'ES256', use: 'sig' }] };
    rp = createServer((_req, res) => {
      fetches++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(served));
    });
    await new Promise<void>((r) => rp.listen(0, '127.0.0.1', r));
    jwksUri = `http://127.0.0.1:${(rp.address() as AddressInfo).port}/jwks`;
    // As `npm start` and the tests run: ISSUER on loopback, so a loopback jwks_uri is allowed.
    h = await startAdminHarness({ ISSUER });
  });
  afterAll(async () => {
    await h.close();
    rp.closeAllConnections();
    await new Promise((r) => rp.close(r));
  });
  beforeEach(() => (fetches = 0));

  const assertion = (clientId: string) =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(TOKEN_ENDPOINT)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime('2m')
      .sign(signingKey);

  const registerClient = async () => {
    const info = await h.app.get(ClientAdmin).register({
      redirect_uris: ['https://rp.example/cb'],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks_uri: jwksUri,
    });
    return String(info.metadata['client_id']);
  };

  it('authenticates a client by the keys at its jwks_uri, fetched once and reused', async () => {
    const clientId = await registerClient();
    const authenticator = h.app.get(ClientAuthenticator);
    for (let i = 0; i < 2; i++) {
      const client = await authenticator.authenticate(
        { method: 'private_key_jwt', assertion: await assertion(clientId) },
        TOKEN_ENDPOINT,
        ISSUER,
      );
      expect(client.clientId).toBe(clientId);
    }
    expect(fetches).toBe(1);
  });

  it('refuses at call time a jwks_uri the policy no longer allows, without calling it', async () => {
    // Registered while allowed (or before registration checked hosts); now a production issuer.
    const clientId = await registerClient();
    const client = (await h.app.get(ClientRegistry).find(clientId))!;
    const production = loadConfig({ PORT: '0', ISSUER: 'https://idp.example' });
    const outbound = new TokenServiceOutbound(production);
    try {
      const err = await new ClientJwks(outbound).keysFor(client).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OutboundError);
      expect(err).toMatchObject({
        reason: 'refused',
        message: '127.0.0.1 is a loopback address (127.0.0.0/8)',
      });
      expect(fetches).toBe(0);
    } finally {
      outbound.onApplicationShutdown();
    }
  });

  it('a jwks_uri that does not answer a JWK Set fails client authentication as invalid_client', async () => {
    const clientId = await registerClient();
    served = { keys: 'nope' as unknown as JWK[] };
    await expect(
      h.app
        .get(ClientAuthenticator)
        .authenticate(
          { method: 'private_key_jwt', assertion: await assertion(clientId) },
          TOKEN_ENDPOINT,
          ISSUER,
        ),
    ).rejects.toMatchObject({ error: 'invalid_client' });
  });
});
