import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { loadConfig } from '@idp/config';
import { startEmbedded } from '@idp/embedded';
import { startDistributedStack } from '../support/distributed-stack';
import { discover, rejectionOf, strictRp, type ServerMetadata } from '../support/rp';
import { freePort } from '../support/service-process';

const INITIAL_ACCESS_TOKEN = 'e2e-csjwt-initial-access-token-0123456789';

interface Running {
  /** Where /introspect is served: the same port embedded, introspection-service distributed. */
  readonly introspectionBase: string;
  stop(): Promise<void>;
}
type Start = (opts: { port: number; issuer: string }) => Promise<Running>;

/**
 * client_secret_jwt (RFC 7523 2.2, OIDC Core 9) as openid-client 6 does it
 * (ClientSecretJwt): a client that registered itself with the method gets a
 * client_credentials token, introspects and revokes it with fresh
 * assertions, and a replayed assertion is refused.
 */
function clientSecretJwtSuite(mode: string, start: Start): void {
  describe(`client_secret_jwt with openid-client (${mode})`, () => {
    let base = '';
    let running: Running | undefined;
    let server: ServerMetadata;
    let client: oidc.Configuration;
    let secret = '';
    /** The bodies openid-client sent to /token, in order. */
    const tokenRequests: string[] = [];

    beforeAll(async () => {
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      running = await start({ port, issuer: base });
      server = await discover(base);
      const registered = await oidc.dynamicClientRegistration(
        new URL(base),
        {
          token_endpoint_auth_method: 'client_secret_jwt',
          token_endpoint_auth_signing_alg: 'HS256',
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
          scope: 'reports:read',
        },
        oidc.ClientSecretJwt(),
        { initialAccessToken: INITIAL_ACCESS_TOKEN, execute: [oidc.allowInsecureRequests] },
      );
      secret = String(registered.clientMetadata().client_secret);
      // The RP as configured from discovery, /introspect where this mode serves it.
      client = strictRp(
        new oidc.Configuration(
          { ...server, introspection_endpoint: `${running.introspectionBase}/introspect` },
          registered.clientMetadata().client_id,
          registered.clientMetadata(),
          oidc.ClientSecretJwt(),
        ),
      );
      client[oidc.customFetch] = (url, options) => {
        if (url.endsWith('/token')) tokenRequests.push(String(options.body));
        return fetch(url, options as RequestInit);
      };
    }, 120_000);
    afterAll(() => running?.stop());

    it('discovery advertises the method and its HMAC algorithms', () => {
      expect(server.token_endpoint_auth_methods_supported).toContain('client_secret_jwt');
      expect(server.token_endpoint_auth_signing_alg_values_supported).toEqual(
        expect.arrayContaining(['HS256', 'HS384', 'HS512']),
      );
      expect(server.revocation_endpoint_auth_methods_supported).toContain('client_secret_jwt');
      expect(server.introspection_endpoint_auth_methods_supported).toContain('client_secret_jwt');
    });

    it('registration returned a secret long enough to key HS512', () => {
      expect(secret).toMatch(/^[A-Za-z0-9_-]{86}$/);
    });

    it('gets a client_credentials token, introspects it, revokes it, each with a fresh assertion', async () => {
      const tokens = await oidc.clientCredentialsGrant(client, { scope: 'reports:read' });
      expect(tokens.scope).toBe('reports:read');
      const body = new URLSearchParams(tokenRequests.at(-1));
      expect(body.get('client_assertion_type')).toBe(
        'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      );
      expect(body.get('client_secret')).toBeNull();
      expect(await oidc.tokenIntrospection(client, tokens.access_token)).toMatchObject({
        active: true,
        client_id: client.clientMetadata().client_id,
      });
      await oidc.tokenRevocation(client, tokens.access_token);
      expect(await oidc.tokenIntrospection(client, tokens.access_token)).toEqual({
        active: false,
      });
    });

    it('a replayed assertion is refused with 401 invalid_client', async () => {
      await oidc.clientCredentialsGrant(client);
      const replay = await fetch(`${base}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: tokenRequests.at(-1)!,
      });
      expect(replay.status).toBe(401);
      expect(replay.headers.get('cache-control')).toBe('no-store');
      expect(await replay.json()).toMatchObject({ error: 'invalid_client' });
    });

    it('an assertion MACed with another secret is refused', async () => {
      const forged = new oidc.Configuration(
        server,
        client.clientMetadata().client_id,
        { ...client.clientMetadata(), client_secret: `${secret}-not-it` },
        oidc.ClientSecretJwt(),
      );
      const { status, body } = await rejectionOf(oidc.clientCredentialsGrant(strictRp(forged)));
      expect(status).toBe(401);
      expect(body).toMatchObject({ error: 'invalid_client' });
    });
  });
}

clientSecretJwtSuite('embedded mode', async ({ port, issuer }) => {
  const { app } = await startEmbedded(
    loadConfig({
      DATA_DIR: mkdtempSync(join(tmpdir(), 'idp-csjwt-')),
      PORT: String(port),
      ISSUER: issuer,
      INITIAL_ACCESS_TOKEN,
      LOG_LEVEL: 'warn',
    }),
  );
  return { introspectionBase: issuer, stop: () => app.close() };
});

clientSecretJwtSuite('distributed mode', async ({ port, issuer }) => {
  const stack = await startDistributedStack({
    name: 'csjwt',
    issuer,
    authPort: port,
    env: { INITIAL_ACCESS_TOKEN },
  });
  return { introspectionBase: stack.introspection[0]!.url, stop: () => stack.stop() };
});
