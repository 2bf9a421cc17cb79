import { generateKeyPairSync } from 'node:crypto';
import type { JWK } from 'jose';
import * as oidc from 'openid-client';
import { codeGrant, newChecks, privateKeyOf, rpFor, type ServerMetadata } from '../support/rp';
import { CookieBrowser, formOf } from './browser';
import { ALICE, REDIRECT_URI } from './seed';

export interface JarProvider {
  readonly base: string;
  readonly issuer: ServerMetadata;
  /** The private half of the key the `pk-jwt` client registered (its seed `jwks`). */
  readonly clientKey: JWK;
}

/**
 * Signed request objects (RFC 9101) as openid-client sends them
 * (buildAuthorizationUrlWithJAR: every parameter in a JWT signed with the
 * client key, only client_id and request in the URL), run inside the OIDC
 * suite so each mode's stack is reused.
 */
export function requestObjectSuite(provider: () => JarProvider): void {
  describe('request objects (RFC 9101)', () => {
    const pkJwt = async (signingKey: JWK, query: Record<string, string> = {}) => {
      const { base, issuer, clientKey } = provider();
      const client = rpFor(
        issuer,
        {
          client_id: 'pk-jwt',
          token_endpoint_auth_method: 'private_key_jwt',
          token_endpoint_auth_signing_alg: 'ES256',
          redirect_uris: [REDIRECT_URI],
        },
        await privateKeyOf(clientKey),
      );
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
      const browser = new CookieBrowser();
      let res = await browser.follow(url, {}, base);
      expect(res.status).toBe(200);
      const login = formOf(await res.text());
      res = await browser.follow(
        new URL(login.action, base).toString(),
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            ...login.fields,
            username: ALICE.username,
            password: ALICE.password,
          }),
        },
        base,
      );
      const callback = res.headers.get('location') ?? '';
      expect(callback.startsWith(`${REDIRECT_URI}?`)).toBe(true);
      // openid-client checks the object's state, nonce and PKCE verifier, and the ID token.
      const tokens = await codeGrant(client, callback, checks);
      expect(tokens.claims()).toMatchObject({ aud: 'pk-jwt', sub: ALICE.sub, nonce: checks.nonce });
      // The object's scope (openid email), not the query's (openid profile).
      expect(tokens.scope?.split(' ').sort()).toEqual(['email', 'openid']);
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
