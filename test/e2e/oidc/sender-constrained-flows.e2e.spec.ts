import { calculateJwkThumbprint, decodeProtectedHeader, exportJWK, type JWK } from 'jose';
import * as oauth from 'oauth4webapi';
import { decryptAccessToken } from '@idp/crypto';
import { privateKeyOf } from '../support/rp';
import { CookieBrowser } from './browser';
import { submitLoginAsAlice } from './flows';
import { startProvider, type Provider, type ProviderOptions } from './provider';
import { verifiedAccessToken } from './resource-server';
import { ALICE, clientKeyPair, encryptionKeyPair, REDIRECT_URI, writeSeedJson } from './seed';

jest.setTimeout(60_000);

/** Two registered resource servers: one reads signed JWTs, the other only JWEs to its key. */
const JWT_API = 'https://jwt-api.example.test';
const JWE_API = 'https://jwe-api.example.test/v1';
/** A public client (a browser app) and a confidential one that signs its requests. */
const SPA = 'sc-spa';
const JAR = 'sc-jar';
const insecure = { [oauth.allowInsecureRequests]: true } as const;

const jwtApiKey = encryptionKeyPair('sc-jwt-api-enc');
const jweApiKey = encryptionKeyPair('sc-jwe-api-enc');
const jarKey = clientKeyPair();

function writeSeed(): string {
  const common = {
    redirect_uris: [REDIRECT_URI],
    grant_types: ['authorization_code', 'refresh_token'],
    scope: 'openid email offline_access',
    skip_consent: true,
    resources: [JWT_API, JWE_API],
  };
  const seed = {
    resources: [
      { resource: JWT_API, jwks: { keys: [jwtApiKey.publicJwk] }, access_token_format: 'jwt' },
      { resource: JWE_API, jwks: { keys: [jweApiKey.publicJwk] }, access_token_format: 'jwe' },
    ],
    clients: [
      { client_id: SPA, token_endpoint_auth_method: 'none', ...common },
      {
        client_id: JAR,
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [jarKey.publicJwk] },
        request_object_signing_alg: 'ES256',
        ...common,
      },
    ],
    users: [{ ...ALICE, claims: { email: 'alice@example.test' } }],
  };
  return writeSeedJson('idp-sc-seed-', seed);
}

/**
 * Issue #17's combined flows end to end, in both modes, with oauth4webapi
 * as the client: PAR (RFC 9126) carrying DPoP-bound (RFC 9449), resource-
 * selected (RFC 8707) requests, and a signed request object (RFC 9101)
 * pushed through PAR. Each mechanism has its own e2e and unit specs; this
 * one checks that they compose. oauth4webapi checks RFC 9207 `iss` in every
 * authorization response (the server advertises it), and so do we.
 */
function combinedSuite(
  mode: string,
  options: Pick<ProviderOptions, 'mode' | 'secondAuthApi'>,
): void {
  describe(`sender-constrained, pushed, signed flows with oauth4webapi (${mode})`, () => {
    let provider: Provider | undefined;
    let as: oauth.AuthorizationServer;

    beforeAll(async () => {
      provider = await startProvider({ ...options, name: 'sc', seedFile: writeSeed() });
      const issuer = new URL(provider.base);
      as = await oauth.processDiscoveryResponse(
        issuer,
        await oauth.discoveryRequest(issuer, insecure),
      );
    }, 120_000);
    afterAll(() => provider?.stop());

    /** The browser at /authorize?client_id&request_uri, through the login form, back at the RP. */
    async function signIn(clientId: string, requestUri: string): Promise<URL> {
      const { base } = provider!;
      const url = new URL('/authorize', provider!.authorizeBase);
      url.searchParams.set('client_id', clientId);
      url.searchParams.set('request_uri', requestUri);
      const browser = new CookieBrowser();
      let res = await browser.follow(url.toString(), {}, base);
      expect(res.status).toBe(200);
      res = await submitLoginAsAlice(browser, base, res);
      expect(res.status).toBe(303);
      const callback = new URL(res.headers.get('location')!);
      expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
      // RFC 9207: the issuer in every authorization response.
      expect(callback.searchParams.get('iss')).toBe(base);
      return callback;
    }

    /** What a resource server does with a token: decrypt if it is a JWE, verify our signature. */
    const verified = (token: string, key?: JWK) =>
      verifiedAccessToken(token, { base: provider!.base, jwksUri: as.jwks_uri! }, key);

    it('discovery advertises each mechanism these flows rely on', () => {
      expect(as.pushed_authorization_request_endpoint).toBe(`${provider!.base}/par`);
      expect(as.authorization_response_iss_parameter_supported).toBe(true);
      expect(as.dpop_signing_alg_values_supported).toContain('ES256');
      expect(as.request_object_signing_alg_values_supported).toContain('ES256');
    });

    it('public client: PAR naming two resources, code + PKCE + DPoP for the JWT one, refresh narrowed to the JWE one with the same key', async () => {
      const spa: oauth.Client = { client_id: SPA };
      const keyPair = await oauth.generateKeyPair('ES256');
      const DPoP = oauth.DPoP(spa, keyPair);
      const jkt = await calculateJwkThumbprint(await exportJWK(keyPair.publicKey), 'sha256');
      const verifier = oauth.generateRandomCodeVerifier();
      const state = oauth.generateRandomState();
      const nonce = oauth.generateRandomNonce();
      const pushedParams = new URLSearchParams({
        redirect_uri: REDIRECT_URI,
        response_type: 'code',
        scope: 'openid email offline_access',
        state,
        nonce,
        code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      });
      pushedParams.append('resource', JWT_API);
      pushedParams.append('resource', JWE_API);
      // oauth4webapi sends its DPoP proof with the push too (no dpop_jkt: see README).
      const pushed = await oauth.processPushedAuthorizationResponse(
        as,
        spa,
        await oauth.pushedAuthorizationRequest(as, spa, oauth.None(), pushedParams, {
          ...insecure,
          DPoP,
        }),
      );
      const callback = await signIn(SPA, pushed.request_uri);
      // oauth4webapi checks state and iss.
      const params = oauth.validateAuthResponse(as, spa, callback, state);

      const tokens = await oauth.processAuthorizationCodeResponse(
        as,
        spa,
        await oauth.authorizationCodeGrantRequest(
          as,
          spa,
          oauth.None(),
          params,
          REDIRECT_URI,
          verifier,
          { ...insecure, DPoP, additionalParameters: { resource: JWT_API } },
        ),
        { expectedNonce: nonce, requireIdToken: true },
      );
      expect(tokens.token_type).toBe('dpop');
      expect(tokens.refresh_token).toEqual(expect.any(String));
      // The JWT resource server's token, bound to the client's key.
      expect(tokens.access_token.split('.')).toHaveLength(3);
      expect(await verified(tokens.access_token)).toMatchObject({
        aud: [JWT_API],
        sub: ALICE.sub,
        client_id: SPA,
        cnf: { jkt },
      });

      // /userinfo with the proof; the same token as Bearer is refused.
      const info = await oauth.userInfoRequest(as, spa, tokens.access_token, { ...insecure, DPoP });
      expect(await oauth.processUserInfoResponse(as, spa, ALICE.sub, info)).toMatchObject({
        sub: ALICE.sub,
        email: 'alice@example.test',
      });
      const asBearer = await fetch(as.userinfo_endpoint!, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      });
      expect(asBearer.status).toBe(401);
      expect(asBearer.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_token"/);

      // The public client's refresh token is bound to the key: another key is refused.
      const otherKey = oauth.DPoP(spa, await oauth.generateKeyPair('ES256'));
      const stolen = await oauth.refreshTokenGrantRequest(
        as,
        spa,
        oauth.None(),
        tokens.refresh_token!,
        { ...insecure, DPoP: otherKey, additionalParameters: { resource: JWE_API } },
      );
      expect(stolen.status).toBe(400);
      expect(await stolen.json()).toMatchObject({ error: 'invalid_grant' });

      // With its key, the refresh narrows to the other granted resource: a JWE only it opens.
      const refreshed = await oauth.processRefreshTokenResponse(
        as,
        spa,
        await oauth.refreshTokenGrantRequest(as, spa, oauth.None(), tokens.refresh_token!, {
          ...insecure,
          DPoP,
          additionalParameters: { resource: JWE_API },
        }),
      );
      expect(refreshed.token_type).toBe('dpop');
      const jwe = refreshed.access_token;
      expect(jwe.split('.')).toHaveLength(5);
      expect(decodeProtectedHeader(jwe)).toMatchObject({ kid: 'sc-jwe-api-enc' });
      expect(await verified(jwe, jweApiKey.privateJwk)).toMatchObject({
        aud: [JWE_API],
        sub: ALICE.sub,
        cnf: { jkt },
      });
      await expect(decryptAccessToken(jwe, jwtApiKey.privateJwk)).rejects.toThrow();
      // The JWE is DPoP-bound too: /userinfo takes it with the proof only.
      const info2 = await oauth.userInfoRequest(as, spa, jwe, { ...insecure, DPoP });
      expect(await oauth.processUserInfoResponse(as, spa, ALICE.sub, info2)).toMatchObject({
        sub: ALICE.sub,
      });
    });

    it('confidential client: a signed request object pushed with private_key_jwt; the object’s parameters are the request', async () => {
      const jar: oauth.Client = { client_id: JAR };
      const signingKey = (await privateKeyOf(jarKey.privateJwk)) as unknown as oauth.PrivateKey;
      const auth = oauth.PrivateKeyJwt(signingKey);
      const verifier = oauth.generateRandomCodeVerifier();
      const state = oauth.generateRandomState();
      const nonce = oauth.generateRandomNonce();
      const request = await oauth.issueRequestObject(
        as,
        jar,
        {
          redirect_uri: REDIRECT_URI,
          response_type: 'code',
          scope: 'openid email offline_access',
          state,
          nonce,
          code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
          resource: JWE_API,
        },
        signingKey,
      );
      // Form parameters outside the signature differ from the object's: they are not used (RFC 9126 3).
      const pushed = await oauth.processPushedAuthorizationResponse(
        as,
        jar,
        await oauth.pushedAuthorizationRequest(
          as,
          jar,
          auth,
          { request, state: 'from-the-form', scope: 'openid', resource: JWT_API },
          insecure,
        ),
      );
      const callback = await signIn(JAR, pushed.request_uri);
      expect(callback.searchParams.get('state')).toBe(state);
      const params = oauth.validateAuthResponse(as, jar, callback, state);
      const tokens = await oauth.processAuthorizationCodeResponse(
        as,
        jar,
        await oauth.authorizationCodeGrantRequest(
          as,
          jar,
          auth,
          params,
          REDIRECT_URI,
          verifier,
          insecure,
        ),
        { expectedNonce: nonce, requireIdToken: true },
      );
      // The object's scope and resource, not the form's.
      expect(tokens.scope?.split(' ').sort()).toEqual(['email', 'offline_access', 'openid']);
      expect(tokens.token_type).toBe('bearer');
      expect(await verified(tokens.access_token, jweApiKey.privateJwk)).toMatchObject({
        aud: [JWE_API],
        sub: ALICE.sub,
        client_id: JAR,
      });
      // The grant holds the object's one resource: the form's is not grantable.
      const widened = await oauth.refreshTokenGrantRequest(as, jar, auth, tokens.refresh_token!, {
        ...insecure,
        additionalParameters: { resource: JWT_API },
      });
      expect(widened.status).toBe(400);
      expect(await widened.json()).toMatchObject({ error: 'invalid_target' });
    });

    it('an error response to a pushed request carries the pushed state and iss (RFC 9207)', async () => {
      const spa: oauth.Client = { client_id: SPA };
      const state = oauth.generateRandomState();
      const pushed = await oauth.processPushedAuthorizationResponse(
        as,
        spa,
        await oauth.pushedAuthorizationRequest(
          as,
          spa,
          oauth.None(),
          {
            redirect_uri: REDIRECT_URI,
            response_type: 'code',
            scope: 'openid',
            state,
            prompt: 'none',
            code_challenge: await oauth.calculatePKCECodeChallenge(
              oauth.generateRandomCodeVerifier(),
            ),
            code_challenge_method: 'S256',
          },
          insecure,
        ),
      );
      // No session, prompt=none: login_required, sent to the client (OIDC Core 3.1.2.6).
      const url = new URL('/authorize', provider!.authorizeBase);
      url.searchParams.set('client_id', SPA);
      url.searchParams.set('request_uri', pushed.request_uri);
      const res = await new CookieBrowser().follow(url.toString(), {}, provider!.base);
      expect([302, 303]).toContain(res.status);
      const callback = new URL(res.headers.get('location')!);
      expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
      expect(Object.fromEntries(callback.searchParams)).toMatchObject({
        error: 'login_required',
        state,
        iss: provider!.base,
      });
      // oauth4webapi checks iss and state before it reports the error.
      expect(() => oauth.validateAuthResponse(as, spa, callback, state)).toThrow(
        oauth.AuthorizationResponseError,
      );
    });

    it('a request object pushed by the client but signed with another key is refused, as JSON', async () => {
      const jar: oauth.Client = { client_id: JAR };
      const auth = oauth.PrivateKeyJwt(
        (await privateKeyOf(jarKey.privateJwk)) as unknown as oauth.PrivateKey,
      );
      const foreign = (await privateKeyOf(
        clientKeyPair().privateJwk,
      )) as unknown as oauth.PrivateKey;
      const request = await oauth.issueRequestObject(
        as,
        jar,
        {
          redirect_uri: REDIRECT_URI,
          response_type: 'code',
          scope: 'openid',
          code_challenge: await oauth.calculatePKCECodeChallenge(
            oauth.generateRandomCodeVerifier(),
          ),
          code_challenge_method: 'S256',
        },
        foreign,
      );
      const res = await oauth.pushedAuthorizationRequest(as, jar, auth, { request }, insecure);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'invalid_request_object' });
    });
  });
}

combinedSuite('embedded mode', { mode: 'embedded' });
// Pushed through one replica, redeemed through the other; proofs claimed in the shared Redis.
combinedSuite('distributed mode, two auth-api replicas', {
  mode: 'distributed',
  secondAuthApi: true,
});
