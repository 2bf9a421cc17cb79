import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { systemClock } from '@idp/contracts';
import type { RegisteredClient } from '@idp/domain';
import { InvalidClient } from '@idp/oauth-errors';
import type { AssertionReplayGuard } from './assertion-replay-guard';
import { ClientAuthenticator } from './client-authenticator';
import type { ClientJwks } from './client-jwks';
import type { ClientRegistry } from './client-registry.service';
import { PushingClientAuthentication } from './pushing-client-authentication';
import type { TokenSecrets } from '../secrets/token-secrets';

const ISSUER = 'https://idp.example';
const PAR = `${ISSUER}/par`;
const TOKEN = `${ISSUER}/token`;

async function setup() {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), alg: 'ES256' };
  const clients: Record<string, RegisteredClient> = {
    rp: {
      status: 'registered',
      clientId: 'rp',
      source: 'admin',
      metadata: { client_id: 'rp', token_endpoint_auth_method: 'private_key_jwt' },
    } as unknown as RegisteredClient,
    spa: {
      status: 'registered',
      clientId: 'spa',
      source: 'admin',
      metadata: { client_id: 'spa', token_endpoint_auth_method: 'none' },
    } as unknown as RegisteredClient,
  };
  const authenticator = new ClientAuthenticator(
    { find: async (id: string) => clients[id] } as unknown as ClientRegistry,
    { clientSecretMatches: () => false } as unknown as TokenSecrets,
    { firstUse: () => true } as unknown as AssertionReplayGuard,
    { keysFor: async () => [jwk] } as unknown as ClientJwks,
    systemClock,
  );
  const pushing = new PushingClientAuthentication(authenticator, { ISSUER });
  let n = 0;
  const assertion = (aud: string) =>
    new SignJWT({ jti: `j${++n}` })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer('rp')
      .setSubject('rp')
      .setAudience(aud)
      .setExpirationTime('1m')
      .sign(privateKey);
  return { pushing, assertion };
}

describe('PushingClientAuthentication (RFC 9126 2.1)', () => {
  it('accepts a private_key_jwt assertion for the issuer, the token endpoint or the PAR endpoint (RFC 9126 2)', async () => {
    const { pushing, assertion } = await setup();
    for (const aud of [ISSUER, TOKEN, PAR]) {
      const { client } = await pushing.authenticate({
        clientAuth: { method: 'private_key_jwt', assertion: await assertion(aud) },
        endpoints: [PAR, TOKEN],
      });
      expect(client.client_id).toBe('rp');
    }
  });

  it('refuses an assertion meant for another endpoint', async () => {
    const { pushing, assertion } = await setup();
    await expect(
      pushing.authenticate({
        clientAuth: { method: 'private_key_jwt', assertion: await assertion(`${ISSUER}/revoke`) },
        endpoints: [PAR, TOKEN],
      }),
    ).rejects.toBeInstanceOf(InvalidClient);
  });

  it('lets a public client in with `none`, and only with the method it registered', async () => {
    const { pushing } = await setup();
    const { client } = await pushing.authenticate({
      clientAuth: { method: 'none', clientId: 'spa' },
      endpoints: [PAR, TOKEN],
    });
    expect(client.client_id).toBe('spa');
    await expect(
      pushing.authenticate({ clientAuth: { method: 'none', clientId: 'rp' }, endpoints: [PAR] }),
    ).rejects.toBeInstanceOf(InvalidClient);
    await expect(
      pushing.authenticate({
        clientAuth: { method: 'none', clientId: 'nobody' },
        endpoints: [PAR],
      }),
    ).rejects.toBeInstanceOf(InvalidClient);
  });
});
