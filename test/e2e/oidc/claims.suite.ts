import type { JWK } from 'jose';
import * as oidc from 'openid-client';
import {
  codeGrant,
  newChecks,
  privateKeyOf,
  rpFor,
  userinfo,
  type OidcTokens,
  type ServerMetadata,
} from '../support/rp';
import { CookieBrowser } from './browser';
import { authorizeAsAlice, loginAsAlice, pkJwtClient } from './flows';
import { ALICE, REDIRECT_URI } from './seed';

export interface ClaimsProvider {
  readonly base: string;
  readonly issuer: ServerMetadata;
  /** The private half of the key the `pk-jwt` client registered (its seed `jwks`). */
  readonly clientKey: JWK;
}

const PWD = 'urn:idp:acr:pwd';

/**
 * The OIDC `claims` request parameter (Core 5.5, ADR 0034) as openid-client
 * sends it: in the query, and inside a signed request object (RFC 9101), where
 * oauth4webapi puts it as a JSON object. Both honoured in the ID token (checked
 * by the library against our JWKS) and at /userinfo. Run inside the OIDC
 * suite, so each mode's stack is reused.
 */
export function claimsSuite(provider: () => ClaimsProvider): void {
  describe('the claims request parameter (OIDC Core 5.5)', () => {
    // Asked with scope=openid alone: nothing here comes from a scope.
    const claims = JSON.stringify({
      id_token: {
        email: { essential: true },
        acr: { essential: true, values: [PWD] },
        // A custom attribute: never released this way.
        roles: null,
      },
      userinfo: { name: null, email_verified: null },
    });

    const webOpaque = () =>
      rpFor(provider().issuer, {
        client_id: 'web-opaque',
        client_secret: 'web-opaque-secret-0123456789abcdef',
        redirect_uris: [REDIRECT_URI],
      });

    /** The ID token has the id_token members, /userinfo the userinfo ones, and nothing else of Alice's. */
    async function expectHonoured(client: oidc.Configuration, tokens: OidcTokens) {
      const idToken = tokens.claims();
      expect(idToken).toMatchObject({ sub: ALICE.sub, email: 'alice@example.test', acr: PWD });
      expect(idToken).not.toHaveProperty('name');
      expect(idToken).not.toHaveProperty('roles');
      expect(await userinfo(client, tokens)).toEqual({
        sub: ALICE.sub,
        name: 'Alice Liddell',
        email_verified: true,
      });
    }

    it('is advertised in discovery, with the acr we assert', () => {
      expect(provider().issuer).toMatchObject({
        claims_parameter_supported: true,
        acr_values_supported: [PWD],
      });
    });

    it('in the query: honoured in the ID token and at /userinfo', async () => {
      const client = webOpaque();
      const { checks, params } = await newChecks();
      const callback = await authorizeAsAlice(provider().base, client, {
        scope: 'openid',
        claims,
        ...params,
      });
      const tokens = await codeGrant(client, callback, checks);
      expect(tokens.scope).toBe('openid');
      await expectHonoured(client, tokens);
    });

    it('inside a signed request object: honoured the same way', async () => {
      const { base, issuer, clientKey } = provider();
      const key = await privateKeyOf(clientKey);
      const client = pkJwtClient(issuer, key);
      const { checks, params } = await newChecks();
      const url = await oidc.buildAuthorizationUrlWithJAR(
        client,
        { redirect_uri: REDIRECT_URI, response_type: 'code', scope: 'openid', claims, ...params },
        key,
      );
      // Only client_id and request travel in the URL: claims is inside the signed object.
      expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request']);
      const callback = await loginAsAlice(base, url.href);
      await expectHonoured(client, await codeGrant(client, callback, checks));
    });

    it.each([
      ['a malformed claims', '["email"]', 'invalid_request', 'claims must be a JSON object'],
      [
        'an essential acr we cannot assert',
        JSON.stringify({ id_token: { acr: { essential: true, value: 'urn:gold' } } }),
        'access_denied',
        'the essential authentication context class (acr) cannot be met',
      ],
    ])(
      '%s goes back to the client as an error, before any login',
      async (_, value, error, description) => {
        const client = webOpaque();
        const url = oidc.buildAuthorizationUrl(client, {
          redirect_uri: REDIRECT_URI,
          response_type: 'code',
          scope: 'openid',
          ...(await newChecks()).params,
          state: 'st',
          claims: value,
        });
        const res = await new CookieBrowser().fetch(url.href);
        expect(res.status).toBe(303);
        const to = new URL(res.headers.get('location') ?? '');
        expect(`${to.origin}${to.pathname}`).toBe(REDIRECT_URI);
        expect(Object.fromEntries(to.searchParams)).toEqual({
          error,
          error_description: description,
          state: 'st',
          iss: provider().base,
        });
      },
    );
  });
}
