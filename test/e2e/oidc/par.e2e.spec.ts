import * as oauth from 'oauth4webapi';
import { privateKeyOf } from '../support/rp';
import { CookieBrowser } from './browser';
import { submitLoginAsAlice } from './flows';
import { startProvider, type Provider, type ProviderOptions } from './provider';
import { ALICE, clientKeyPair, REDIRECT_URI, writeSeedFile } from './seed';

const insecure = { [oauth.allowInsecureRequests]: true } as const;
const spa: oauth.Client = { client_id: 'spa' };

/**
 * Pushed authorization requests (RFC 9126) end to end, as oauth4webapi (a
 * client library that implements PAR) does them: a public client pushes a
 * code + PKCE request, sends the browser to /authorize with only client_id
 * and the request_uri, the user signs in, and the code is exchanged. In
 * the distributed mode the request pushed through one auth-api replica is
 * redeemed through another (the store is Redis). A request_uri works once.
 */
function parSuite(mode: string, options: Pick<ProviderOptions, 'mode' | 'secondAuthApi'>): void {
  describe(`pushed authorization requests with oauth4webapi (${mode})`, () => {
    let provider: Provider | undefined;
    let as: oauth.AuthorizationServer;
    const rpKey = clientKeyPair();

    beforeAll(async () => {
      provider = await startProvider({
        ...options,
        name: 'par',
        seedFile: writeSeedFile(rpKey.publicJwk),
      });
      const issuer = new URL(provider.base);
      as = await oauth.processDiscoveryResponse(
        issuer,
        await oauth.discoveryRequest(issuer, insecure),
      );
    }, 120_000);
    afterAll(() => provider?.stop());

    /** The browser at /authorize?client_id&request_uri, through the login form, back at the RP. */
    async function signIn(authorizeUrl: URL): Promise<URL> {
      const { base } = provider!;
      const browser = new CookieBrowser();
      let res = await browser.fetch(authorizeUrl.toString());
      // The interaction pages are on the issuer's URL: any replica continues it (ADR 0006).
      expect(res.status).toBe(303);
      res = await browser.follow(new URL(res.headers.get('location')!, base).toString(), {}, base);
      expect(res.status).toBe(200);
      res = await submitLoginAsAlice(browser, base, res);
      expect(res.status).toBe(303);
      const callback = new URL(res.headers.get('location')!);
      expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
      return callback;
    }

    it('a public client does code + PKCE through PAR; the request_uri works once', async () => {
      const verifier = oauth.generateRandomCodeVerifier();
      const state = oauth.generateRandomState();
      const nonce = oauth.generateRandomNonce();
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
            scope: 'openid email',
            state,
            nonce,
            code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
            code_challenge_method: 'S256',
          },
          insecure,
        ),
      );
      expect(pushed.request_uri).toMatch(/^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{43}$/);
      expect(pushed.expires_in).toBe(60);

      const authorizeUrl = new URL('/authorize', provider!.authorizeBase);
      authorizeUrl.searchParams.set('client_id', spa.client_id);
      authorizeUrl.searchParams.set('request_uri', pushed.request_uri);
      const callback = await signIn(authorizeUrl);

      // oauth4webapi checks state and the RFC 9207 iss, then the token response and the ID token.
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
          insecure,
        ),
        { expectedNonce: nonce, requireIdToken: true },
      );
      expect(tokens.access_token).toEqual(expect.any(String));
      expect(oauth.getValidatedIdTokenClaims(tokens)).toMatchObject({
        sub: ALICE.sub,
        aud: 'spa',
        nonce,
      });

      // Used: the same request_uri is refused on our page, through either replica.
      for (const origin of new Set([provider!.base, provider!.authorizeBase])) {
        const again = new URL(authorizeUrl.pathname + authorizeUrl.search, origin);
        const res = await fetch(again, { redirect: 'manual' });
        expect(res.status).toBe(400);
        expect(res.headers.get('location')).toBeNull();
        expect(await res.text()).toContain('invalid_request_uri');
      }
    });

    it('a confidential client pushes with private_key_jwt (client authentication as at /token)', async () => {
      const pkJwt: oauth.Client = { client_id: 'pk-jwt' };
      const auth = oauth.PrivateKeyJwt(
        (await privateKeyOf(rpKey.privateJwk)) as unknown as oauth.PrivateKey,
      );
      const params = {
        redirect_uri: REDIRECT_URI,
        response_type: 'code',
        scope: 'openid',
        code_challenge: await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier()),
        code_challenge_method: 'S256',
      };
      const pushed = await oauth.processPushedAuthorizationResponse(
        as,
        pkJwt,
        await oauth.pushedAuthorizationRequest(as, pkJwt, auth, params, insecure),
      );
      expect(pushed.request_uri).toMatch(/^urn:ietf:params:oauth:request_uri:/);
      // Without its assertion the same client is invalid_client (401).
      const res = await oauth.pushedAuthorizationRequest(as, pkJwt, oauth.None(), params, insecure);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: 'invalid_client' });
    });

    it('refuses a push without PKCE from the public client, as JSON', async () => {
      const res = await oauth.pushedAuthorizationRequest(
        as,
        spa,
        oauth.None(),
        { redirect_uri: REDIRECT_URI, response_type: 'code', scope: 'openid' },
        insecure,
      );
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'invalid_request' });
    });
  });
}

parSuite('embedded mode', { mode: 'embedded' });
// A request pushed through one auth-api replica is redeemed through the other (the store is Redis).
parSuite('distributed mode, two auth-api replicas', { mode: 'distributed', secondAuthApi: true });
