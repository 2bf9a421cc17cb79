import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { JWK } from 'jose';
import * as oidc from 'openid-client';
import { codeGrant, newChecks, privateKeyOf, type ServerMetadata } from '../support/rp';
import { CookieBrowser } from './browser';
import { loginAsAlice, pkJwtClient } from './flows';
import { ALICE, REDIRECT_URI } from './seed';

export interface JarProvider {
  readonly base: string;
  readonly issuer: ServerMetadata;
  /** The private half of the key the `pk-jwt` client registered (its seed `jwks`). */
  readonly clientKey: JWK;
  /** http://127.0.0.1:<free port>: `${requestUriBase}${REQUEST_URI_PATH}` is in pk-jwt's request_uris. */
  readonly requestUriBase: string;
}

export const REQUEST_URI_PATH = '/request-objects/pk-jwt.jwt';

/**
 * Signed request objects (RFC 9101) as openid-client sends them
 * (buildAuthorizationUrlWithJAR: every parameter in a JWT signed with the
 * client key, only client_id and request in the URL), run inside the OIDC
 * suite so each mode's stack is reused.
 */
export function requestObjectSuite(provider: () => JarProvider): void {
  describe('request objects (RFC 9101)', () => {
    /** The RP's web server: answers its request_uri with whatever `served` holds. */
    let served = '';
    let rp: Server | undefined;
    beforeAll(async () => {
      const { port } = new URL(provider().requestUriBase);
      rp = createServer((req, res) => {
        if (req.url !== REQUEST_URI_PATH) res.writeHead(404).end();
        else res.writeHead(200, { 'content-type': 'application/oauth-authz-req+jwt' }).end(served);
      });
      await new Promise<void>((r) => rp!.listen(Number(port), '127.0.0.1', r));
    });
    afterAll(async () => {
      rp?.closeAllConnections();
      await new Promise((r) => (rp ? rp.close(r) : r(undefined)));
    });

    /** pk-jwt's authorization URL with its request object signed by `signingKey`, plus `query`. */
    const pkJwt = async (signingKey: JWK, query: Record<string, string> = {}) => {
      const { base, issuer, clientKey } = provider();
      const client = pkJwtClient(issuer, await privateKeyOf(clientKey));
      const { checks, params } = await newChecks();
      const url = await oidc.buildAuthorizationUrlWithJAR(
        client,
        { redirect_uri: REDIRECT_URI, response_type: 'code', scope: 'openid email', ...params },
        await privateKeyOf(signingKey),
      );
      for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
      return { base, client, checks, url: url.href };
    };

    it('a signed request object by value: login, code, tokens, with the query parameters ignored', async () => {
      // A parameter outside the signature is not part of the request (RFC 9101 6.3).
      const { base, client, checks, url } = await pkJwt(provider().clientKey, {
        state: 'from-the-query',
        scope: 'openid profile',
      });
      expect([...new URL(url).searchParams.keys()].sort()).toEqual([
        'client_id',
        'request',
        'scope',
        'state',
      ]);
      const callback = await loginAsAlice(base, url);
      // openid-client checks the object's state, nonce and PKCE verifier, and the ID token.
      const tokens = await codeGrant(client, callback, checks);
      expect(tokens.claims()).toMatchObject({ aud: 'pk-jwt', sub: ALICE.sub, nonce: checks.nonce });
      // The object's scope (openid email), not the query's (openid profile).
      expect(tokens.scope?.split(' ').sort()).toEqual(['email', 'openid']);
    });

    it('a signed request object by reference: fetched from the registered request_uri', async () => {
      const { base, client, checks, url } = await pkJwt(provider().clientKey);
      served = new URL(url).searchParams.get('request') ?? '';
      const byReference = new URL(provider().issuer.authorization_endpoint!);
      byReference.searchParams.set('client_id', 'pk-jwt');
      byReference.searchParams.set(
        'request_uri',
        `${provider().requestUriBase}${REQUEST_URI_PATH}`,
      );
      const callback = await loginAsAlice(base, byReference.href);
      const tokens = await codeGrant(client, callback, checks);
      expect(tokens.claims()).toMatchObject({ aud: 'pk-jwt', nonce: checks.nonce });
    });

    it('a request object signed with a key the client did not register: invalid_request_object', async () => {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const foreign = { ...(privateKey.export({ format: 'jwk' }) as JWK), kid: 'rp-key-1' };
      const { base, url } = await pkJwt(foreign, { state: 'from-the-query' });
      const res = await new CookieBrowser().follow(url, {}, base);
      // The query names no redirect_uri and the client registered one: that one is trusted
      // (with scope=openid in the query, OIDC Core would require it and this is the error page).
      expect(res.status).toBe(303);
      const to = new URL(res.headers.get('location') ?? '');
      expect(`${to.origin}${to.pathname}`).toBe(REDIRECT_URI);
      expect(Object.fromEntries(to.searchParams)).toEqual({
        error: 'invalid_request_object',
        error_description: 'the request object signature is invalid',
        state: 'from-the-query',
        iss: base,
      });
    });
  });
}
