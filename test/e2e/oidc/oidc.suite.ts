import { decodeJwt, decodeProtectedHeader } from 'jose';
import * as oidc from 'openid-client';
import type { Configuration } from 'openid-client';
import {
  bearerChallenge,
  codeGrant,
  discover,
  newChecks,
  privateKeyOf,
  rpFor,
  userinfo,
  type ServerMetadata,
} from '../support/rp';
import { freePort } from '../support/service-process';
import { claimsSuite } from './claims.suite';
import { authorizeAsAlice } from './flows';
import { implicitHybridSuite } from './implicit-hybrid.suite';
import { REQUEST_URI_PATH, requestObjectSuite } from './request-object.suite';
import { ALICE, clientKeyPair, REDIRECT_URI, writeSeedFile } from './seed';

export interface RunningProvider {
  stop(): Promise<void>;
}
export type StartProvider = (opts: {
  port: number;
  issuer: string;
  seedFile: string;
}) => Promise<RunningProvider>;

/**
 * Issue #3's end-to-end suite: our provider as a strict, widely used RP
 * library (openid-client) sees it. Every token is validated by the library
 * (signature against our JWKS, iss, aud, nonce, at_hash...), not by us.
 */
export function oidcSuite(mode: string, start: StartProvider): void {
  describe(`OpenID Connect with openid-client (${mode})`, () => {
    const rpKey = clientKeyPair();
    let base = '';
    let provider: RunningProvider | undefined;
    let issuer: ServerMetadata;
    let requestUriBase = '';

    beforeAll(async () => {
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      // Where the request object suite serves pk-jwt's request_uri (registered in the seed).
      requestUriBase = `http://127.0.0.1:${await freePort()}`;
      provider = await start({
        port,
        issuer: base,
        seedFile: writeSeedFile(rpKey.publicJwk, [`${requestUriBase}${REQUEST_URI_PATH}`]),
      });
      issuer = await discover(base);
    }, 120_000);
    afterAll(() => provider?.stop());
    implicitHybridSuite(() => ({ base, issuer }));
    requestObjectSuite(() => ({ base, issuer, clientKey: rpKey.privateJwk, requestUriBase }));
    claimsSuite(() => ({ base, issuer, clientKey: rpKey.privateJwk }));

    const webOpaque = () =>
      rpFor(issuer, {
        client_id: 'web-opaque',
        client_secret: 'web-opaque-secret-0123456789abcdef',
        redirect_uris: [REDIRECT_URI],
      });
    const webJwt = () =>
      rpFor(issuer, {
        client_id: 'web-jwt',
        client_secret: 'web-jwt-secret-0123456789abcdefgh',
        redirect_uris: [REDIRECT_URI],
        token_endpoint_auth_method: 'client_secret_post',
      });

    async function codeFlow(client: Configuration, scope = 'openid profile email offline_access') {
      const { checks, params: request } = await newChecks();
      const callback = await authorizeAsAlice(base, client, { scope, ...request });
      const params = Object.fromEntries(new URL(callback).searchParams);
      expect(params.iss).toBe(base); // RFC 9207
      const tokens = await codeGrant(client, callback, checks);
      return { tokens, params, codeVerifier: checks.codeVerifier };
    }

    it('code flow + PKCE: distinct ID and access tokens, both validated by the RP library', async () => {
      const { tokens } = await codeFlow(webOpaque());
      expect(tokens.id_token).toBeDefined();
      expect(tokens.access_token).toMatch(/^at_/);
      expect(tokens.access_token).not.toBe(tokens.id_token);
      const claims = tokens.claims();
      expect(claims).toMatchObject({
        iss: base,
        sub: ALICE.sub,
        aud: 'web-opaque',
        azp: 'web-opaque',
      });
      expect(claims.sid).toEqual(expect.any(String));
      expect(claims.auth_time).toEqual(expect.any(Number));
      expect(decodeProtectedHeader(tokens.id_token!).alg).toBe('RS256');
    });

    it('userinfo accepts our opaque access token and releases only what the scopes allow', async () => {
      const client = webOpaque();
      const { tokens } = await codeFlow(client, 'openid email');
      const info = await userinfo(client, tokens);
      expect(info).toEqual({ sub: ALICE.sub, email: 'alice@example.test', email_verified: true });
    });

    it('JWT access tokens are RFC 9068 (typ at+jwt, configured claims, no ID-token claims) and work at userinfo', async () => {
      const client = webJwt();
      const { tokens } = await codeFlow(client);
      const header = decodeProtectedHeader(tokens.access_token!);
      expect(header.typ).toBe('at+jwt');
      const at = decodeJwt(tokens.access_token!);
      expect(at).toMatchObject({
        iss: base,
        sub: ALICE.sub,
        client_id: 'web-jwt',
        roles: ['reader'],
      });
      expect(at.scope).toContain('openid');
      for (const claim of ['nonce', 'at_hash', 'c_hash', 'azp'])
        expect(at).not.toHaveProperty(claim);
      expect(tokens.access_token).not.toBe(tokens.id_token);
      expect(await userinfo(client, tokens.access_token)).toMatchObject({
        sub: ALICE.sub,
        name: 'Alice Liddell',
      });
    });

    it('userinfo rejects an ID token, a forged token and no token with RFC 6750 errors', async () => {
      const { tokens } = await codeFlow(webOpaque());
      const call = (auth?: string) =>
        fetch(`${base}/userinfo`, { headers: auth ? { authorization: auth } : {} });
      const idToken = await call(`Bearer ${tokens.id_token}`);
      expect(idToken.status).toBe(401);
      expect(idToken.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
      const forged = await call(`Bearer ${tokens.access_token!.slice(0, -4)}AAAA`);
      expect(forged.status).toBe(401);
      expect(forged.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
      const none = await call();
      expect(none.status).toBe(401);
      // RFC 6750 3.1 and RFC 9449 7.1: both schemes offered, no error code.
      expect(none.headers.get('www-authenticate')).toBe(
        'Bearer realm="idp", DPoP algs="ES256 EdDSA RS256 PS256"',
      );
    });

    it('refresh rotates the refresh token; presenting the old one again revokes the whole grant', async () => {
      const client = webOpaque();
      const { tokens } = await codeFlow(client);
      const refreshed = await oidc.refreshTokenGrant(client, tokens.refresh_token!);
      expect(refreshed.refresh_token).toBeDefined();
      expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
      expect(refreshed.claims()!.sub).toBe(ALICE.sub);
      await expect(userinfo(client, refreshed.access_token)).resolves.toMatchObject({
        sub: ALICE.sub,
      });

      await expect(oidc.refreshTokenGrant(client, tokens.refresh_token!)).rejects.toMatchObject({
        error: 'invalid_grant',
      });
      await expect(userinfo(client, refreshed.access_token)).rejects.toEqual(
        bearerChallenge('invalid_token'),
      );
      await expect(oidc.refreshTokenGrant(client, refreshed.refresh_token!)).rejects.toMatchObject({
        error: 'invalid_grant',
      });
    });

    it('a replayed authorization code fails and revokes what the first redemption issued', async () => {
      const client = webOpaque();
      const { tokens, params, codeVerifier } = await codeFlow(client);
      await expect(
        oidc.genericGrantRequest(client, 'authorization_code', {
          code: params.code!,
          redirect_uri: REDIRECT_URI,
          code_verifier: codeVerifier,
        }),
      ).rejects.toMatchObject({ error: 'invalid_grant' });
      await expect(userinfo(client, tokens.access_token)).rejects.toEqual(
        bearerChallenge('invalid_token'),
      );
    });

    it('a public client authenticates with PKCE alone', async () => {
      const spa = rpFor(issuer, {
        client_id: 'spa',
        token_endpoint_auth_method: 'none',
        redirect_uris: [REDIRECT_URI],
      });
      const { tokens } = await codeFlow(spa, 'openid');
      expect(tokens.claims().aud).toBe('spa');
      expect(tokens.refresh_token).toBeUndefined();
    });

    it('private_key_jwt client authentication', async () => {
      const client = rpFor(
        issuer,
        {
          client_id: 'pk-jwt',
          token_endpoint_auth_method: 'private_key_jwt',
          token_endpoint_auth_signing_alg: 'ES256',
          redirect_uris: [REDIRECT_URI],
        },
        await privateKeyOf(rpKey.privateJwk),
      );
      const { tokens } = await codeFlow(client, 'openid');
      expect(tokens.claims().aud).toBe('pk-jwt');
    });

    it('client_credentials: a JWT for the client itself, no ID token, no refresh token', async () => {
      const job = rpFor(issuer, {
        client_id: 'batch-job',
        client_secret: 'batch-job-secret-0123456789abcdef',
      });
      const tokens = await oidc.clientCredentialsGrant(job, { scope: 'reports:read' });
      expect(tokens.id_token).toBeUndefined();
      expect(tokens.refresh_token).toBeUndefined();
      expect(tokens.scope).toBe('reports:read');
      expect(decodeJwt(tokens.access_token)).toMatchObject({
        sub: 'batch-job',
        client_id: 'batch-job',
        scope: 'reports:read',
      });
    });

    it('a wrong client secret is 401 invalid_client with a Basic challenge', async () => {
      const res = await fetch(`${base}/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from('batch-job:wrong').toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.json()).toMatchObject({ error: 'invalid_client' });
    });
  });
}
