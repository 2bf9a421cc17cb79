import { randomUUID } from '@idp/crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, SignJWT } from 'jose';
import * as oauth from 'oauth4webapi';
import { loadConfig } from '@idp/config';
import { CLIENT_CERTIFICATE } from '@idp/testing';
import { startEmbedded } from '@idp/embedded';
import { startDistributedStack } from '../support/distributed-stack';
import { freePort, ServiceProcess } from '../support/service-process';
import { loginAsAlice } from './flows';
import { ALICE, REDIRECT_URI } from './seed';

const SVC = { id: 'dpop-svc', secret: 'dpop-svc-secret-0123456789abcdefgh' };
const SPA = 'dpop-spa';
const MTLS = { id: 'mtls-svc', secret: 'mtls-svc-secret-0123456789abcdefgh' };
/** Certificate-bound tokens (RFC 8705): the tests stand in for the TLS proxy on 127.0.0.1. */
const MTLS_ENV = { MTLS_CLIENT_CERT_HEADER: 'x-client-cert', MTLS_TRUSTED_PROXIES: '127.0.0.1' };
const insecure = { [oauth.allowInsecureRequests]: true } as const;

interface Provider {
  /** auth-api's base URL (the issuer). */
  readonly base: string;
  /** Where /introspect is served. */
  readonly introspectionBase: string;
  /** A second auth-api replica sharing the issuer, when the mode has replicas. */
  readonly secondAuth?: string;
  stop(): Promise<void>;
}

function writeSeed(): string {
  const seed = {
    clients: [
      {
        client_id: SVC.id,
        client_secret: SVC.secret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: 'reports:read',
      },
      {
        client_id: MTLS.id,
        client_secret: MTLS.secret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: 'reports:read',
        tls_client_certificate_bound_access_tokens: true,
      },
      {
        // A public client that always binds its tokens (RFC 9449 5.2).
        client_id: SPA,
        grant_types: ['authorization_code', 'refresh_token'],
        token_endpoint_auth_method: 'none',
        redirect_uris: [REDIRECT_URI],
        scope: 'openid profile offline_access',
        skip_consent: true,
        dpop_bound_access_tokens: true,
      },
    ],
    users: [
      {
        sub: ALICE.sub,
        username: ALICE.username,
        password: ALICE.password,
        claims: { name: 'Alice' },
      },
    ],
  };
  const file = join(mkdtempSync(join(tmpdir(), 'idp-dpop-seed-')), 'seed.json');
  writeFileSync(file, JSON.stringify(seed));
  return file;
}

/**
 * DPoP (RFC 9449, ADR 0027) end to end, in both modes, with oauth4webapi as
 * the client: it makes the proofs, reads token_type DPoP and retries on
 * use_dpop_nonce. Replays and Bearer misuse are sent by hand.
 */
function dpopSuite(mode: string, start: (seedFile: string) => Promise<Provider>): void {
  describe(`DPoP with oauth4webapi (${mode})`, () => {
    let provider: Provider;
    let as: oauth.AuthorizationServer;

    beforeAll(async () => {
      provider = await start(writeSeed());
      const issuer = new URL(provider.base);
      as = await oauth.processDiscoveryResponse(
        issuer,
        await oauth.discoveryRequest(issuer, insecure),
      );
    }, 120_000);
    afterAll(() => provider?.stop());

    const basic = (c: { id: string; secret: string }) =>
      `Basic ${Buffer.from(`${c.id}:${c.secret}`).toString('base64')}`;
    const introspect = async (token: string, caller = SVC) => {
      const res = await fetch(`${provider.introspectionBase}/introspect`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: basic(caller),
        },
        body: new URLSearchParams({ token }),
      });
      return (await res.json()) as Record<string, unknown>;
    };

    it('discovery advertises the DPoP algs and certificate-bound tokens', () => {
      expect(as.dpop_signing_alg_values_supported).toEqual(['ES256', 'EdDSA', 'RS256', 'PS256']);
      expect(as.tls_client_certificate_bound_access_tokens).toBe(true);
    });

    it('a certificate forwarded by the trusted proxy binds the token (RFC 8705): introspection shows cnf x5t#S256', async () => {
      const send = (headers: Record<string, string>) =>
        fetch(`${provider.base}/token`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            authorization: basic(MTLS),
            ...headers,
          },
          body: new URLSearchParams({ grant_type: 'client_credentials' }),
        });
      const res = await send({ 'x-client-cert': encodeURIComponent(CLIENT_CERTIFICATE) });
      expect(res.status).toBe(200);
      const tokens = (await res.json()) as { access_token: string; token_type: string };
      expect(tokens.token_type).toBe('Bearer');
      expect(await introspect(tokens.access_token, MTLS)).toMatchObject({
        active: true,
        cnf: { 'x5t#S256': expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) },
      });
      // The client registered the binding: without a certificate it gets no token.
      const without = await send({});
      expect(without.status).toBe(400);
      expect(await without.json()).toMatchObject({ error: 'invalid_request' });
    });

    it('client_credentials with DPoP: token_type DPoP, introspection shows cnf.jkt', async () => {
      const keyPair = await oauth.generateKeyPair('ES256');
      const client = { client_id: SVC.id };
      const response = await oauth.clientCredentialsGrantRequest(
        as,
        client,
        oauth.ClientSecretBasic(SVC.secret),
        new URLSearchParams({ scope: 'reports:read' }),
        { ...insecure, DPoP: oauth.DPoP({}, keyPair) },
      );
      const tokens = await oauth.processClientCredentialsResponse(as, client, response);
      expect(tokens.token_type).toBe('dpop');
      const jkt = await calculateJwkThumbprint(await exportJWK(keyPair.publicKey), 'sha256');
      expect(await introspect(tokens.access_token)).toMatchObject({
        active: true,
        token_type: 'DPoP',
        cnf: { jkt },
      });
    });

    it('a replayed proof is refused (on another auth-api replica too, where there is one)', async () => {
      const keyPair = await oauth.generateKeyPair('ES256');
      const jwk = await exportJWK(keyPair.publicKey);
      const proof = await new SignJWT({
        htm: 'POST',
        htu: `${provider.base}/token`,
        iat: Math.floor(Date.now() / 1000),
        jti: randomUUID(),
      })
        .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
        .sign(keyPair.privateKey);
      const send = (base: string) =>
        fetch(`${base}/token`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            authorization: `Basic ${Buffer.from(`${SVC.id}:${SVC.secret}`).toString('base64')}`,
            dpop: proof,
          },
          body: new URLSearchParams({ grant_type: 'client_credentials' }),
        });
      const first = await send(provider.base);
      expect(first.status).toBe(200);
      expect(((await first.json()) as { token_type: string }).token_type).toBe('DPoP');
      for (const base of [provider.base, ...(provider.secondAuth ? [provider.secondAuth] : [])]) {
        const again = await send(base);
        expect(again.status).toBe(400);
        expect(await again.json()).toMatchObject({
          error: 'invalid_dpop_proof',
          error_description: 'the DPoP proof was already used',
        });
      }
    });

    it('code flow with DPoP (dpop_bound_access_tokens): userinfo with DPoP, Bearer refused, refresh bound', async () => {
      const client = { client_id: SPA };
      const keyPair = await oauth.generateKeyPair('ES256');
      const DPoP = oauth.DPoP({}, keyPair);
      const verifier = oauth.generateRandomCodeVerifier();
      const url = new URL(as.authorization_endpoint!);
      url.search = new URLSearchParams({
        client_id: SPA,
        redirect_uri: REDIRECT_URI,
        response_type: 'code',
        scope: 'openid profile offline_access',
        code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      }).toString();
      const callback = await loginAsAlice(provider.base, url.toString());
      const params = oauth.validateAuthResponse(as, client, new URL(callback));

      // Without a proof, a dpop_bound_access_tokens client gets no token.
      const noProof = await oauth
        .authorizationCodeGrantRequest(
          as,
          client,
          oauth.None(),
          params,
          REDIRECT_URI,
          verifier,
          insecure,
        )
        .then((r) => r.json() as Promise<Record<string, unknown>>);
      expect(noProof).toMatchObject({ error: 'invalid_dpop_proof' });

      const response = await oauth.authorizationCodeGrantRequest(
        as,
        client,
        oauth.None(),
        params,
        REDIRECT_URI,
        verifier,
        { ...insecure, DPoP },
      );
      const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, {
        requireIdToken: true,
      });
      expect(tokens.token_type).toBe('dpop');

      const info = await oauth.userInfoRequest(as, client, tokens.access_token, {
        ...insecure,
        DPoP,
      });
      expect(await oauth.processUserInfoResponse(as, client, ALICE.sub, info)).toMatchObject({
        sub: ALICE.sub,
      });

      const asBearer = await fetch(`${provider.base}/userinfo`, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      });
      expect(asBearer.status).toBe(401);
      expect(asBearer.headers.get('www-authenticate')).toMatch(
        /^DPoP error="invalid_token", error_description="[^"]+", algs="ES256 EdDSA RS256 PS256"$/,
      );

      // A proof by another key: the token is bound to the first one.
      const otherKey = await oauth.generateKeyPair('ES256');
      const stolen = await oauth.userInfoRequest(as, client, tokens.access_token, {
        ...insecure,
        DPoP: oauth.DPoP({}, otherKey),
      });
      expect(stolen.status).toBe(401);
      expect(stolen.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_token"/);

      // The public client's refresh token needs the same key (RFC 9449 5).
      const refreshWithOther = await oauth.refreshTokenGrantRequest(
        as,
        client,
        oauth.None(),
        tokens.refresh_token!,
        { ...insecure, DPoP: oauth.DPoP({}, otherKey) },
      );
      expect(await refreshWithOther.json()).toMatchObject({ error: 'invalid_grant' });
      const refreshed = await oauth.processRefreshTokenResponse(
        as,
        client,
        await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, {
          ...insecure,
          DPoP,
        }),
      );
      expect(refreshed.token_type).toBe('dpop');
    });
  });
}

dpopSuite('embedded mode', async (seedFile) => {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    DATA_DIR: mkdtempSync(join(tmpdir(), 'idp-dpop-')),
    PORT: String(port),
    ISSUER: base,
    SEED_FILE: seedFile,
    LOG_LEVEL: 'warn',
    ...MTLS_ENV,
  });
  const { app } = await startEmbedded(config);
  return { base, introspectionBase: base, stop: () => app.close() };
});

dpopSuite('distributed mode, two auth-api replicas', async (seedFile) => {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const stack = await startDistributedStack({
    name: 'dpop',
    issuer: base,
    seedFile,
    authPort: port,
    env: MTLS_ENV,
  });
  // A second auth-api on the same issuer: it shares only Redis (the replay store) with the first.
  const second = new ServiceProcess('auth-api', {
    ...stack.auth.env,
    PORT: String(await freePort()),
  });
  second.start();
  try {
    await second.waitReady();
  } catch (err) {
    await Promise.all([second.stop(), stack.stop()]);
    throw err;
  }
  return {
    base,
    introspectionBase: stack.introspection[0]!.url,
    secondAuth: second.url,
    stop: async () => {
      await second.stop();
      await stack.stop();
    },
  };
});
