import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import {
  authorizationUrl,
  bearerChallenge,
  rpFor,
  userinfo,
  type ServerMetadata,
} from '../support/rp';
import { CookieBrowser, formOf } from './browser';
import { ALICE, REDIRECT_URI } from './seed';

export interface ProviderUnderTest {
  readonly base: string;
  readonly issuer: ServerMetadata;
}

type Mode = 'query' | 'fragment' | 'form_post';
type Params = Record<string, string>;

const hasPart = (type: string, part: string) => type.split(' ').includes(part);

/**
 * The browser's side: /authorize, the login form, then whatever reaches the
 * RP: a redirect (query or fragment) or the form_post page's hidden fields.
 */
async function respond(base: string, url: string): Promise<{ mode: Mode; params: Params }> {
  const browser = new CookieBrowser();
  let res = await browser.fetch(url);
  for (let hops = 0; hops < 10; hops++) {
    if (res.status >= 300 && res.status < 400) {
      const next = new URL(res.headers.get('location')!, base);
      if (next.origin !== new URL(base).origin) {
        // A fragment uses the query string's encoding (RFC 6749 4.2.2).
        const encoded = next.hash ? next.hash.slice(1) : next.search.slice(1);
        return {
          mode: next.hash ? 'fragment' : 'query',
          params: Object.fromEntries(new URLSearchParams(encoded)),
        };
      }
      res = await browser.fetch(next.toString());
      continue;
    }
    if (res.status !== 200) break;
    const form = formOf(await res.text());
    if (form.action === REDIRECT_URI) return { mode: 'form_post', params: form.fields };
    res = await browser.fetch(new URL(form.action, base).toString(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        ...form.fields,
        username: ALICE.username,
        password: ALICE.password,
      }),
    });
  }
  throw new Error(`expected a response for the RP, got ${res.status}`);
}

/**
 * The response as it reaches the RP's server: the redirect_uri with a query
 * or a fragment, or a form POST. openid-client 6 reads a fragment only for
 * the response types it validates an ID token of (id_token, code id_token);
 * for `code token` it reads the query, where the RP's callback page puts
 * what it found in the fragment.
 */
function received(type: string, mode: Mode, params: Params): URL | Request {
  const encoded = new URLSearchParams(params).toString();
  if (mode === 'query') return new URL(`${REDIRECT_URI}?${encoded}`);
  if (mode === 'fragment' && !hasPart(type, 'id_token')) {
    return new URL(`${REDIRECT_URI}?${encoded}`);
  }
  if (mode === 'fragment') return new URL(`${REDIRECT_URI}#${encoded}`);
  return new Request(REDIRECT_URI, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: encoded,
  });
}

/** OIDC Core 3.2.2.9 / 3.3.2.11 for RS256: the left half of the SHA-256 of the access token. */
const atHash = (accessToken: string) =>
  createHash('sha256').update(accessToken).digest().subarray(0, 16).toString('base64url');

/**
 * OIDC Core 3.2 (implicit) and 3.3 (hybrid) against openid-client, which
 * checks the front-channel ID token's signature, nonce and c_hash itself and
 * redeems any code. openid-client 6 has no response types that carry an
 * access token in the front channel, so it validates the ID token of those
 * as it does for `id_token` / `code id_token`, and checks no at_hash: the
 * test checks at_hash against that validated ID token. Runs inside the OIDC
 * suite's describe, against the provider it started.
 */
export function implicitHybridSuite(provider: () => ProviderUnderTest): void {
  describe('implicit and hybrid flows', () => {
    /** The RP configured for `type`, the way openid-client 6 is told to expect an ID token up front. */
    const client = (type: string) => {
      const rp = rpFor(provider().issuer, {
        client_id: 'hybrid',
        client_secret: 'hybrid-secret-0123456789abcdefghij',
        redirect_uris: [REDIRECT_URI],
        response_types: [type],
      });
      if (!hasPart(type, 'id_token')) return rp;
      if (hasPart(type, 'code')) oidc.useCodeIdTokenResponseType(rp);
      else oidc.useIdTokenResponseType(rp);
      return rp;
    };

    /** One authorization with `type`; the checks are what the RP kept in its session. */
    async function authorize(type: string, extra: Record<string, string | undefined> = {}) {
      const rp = client(type);
      const checks = {
        type,
        state: oidc.randomState(),
        nonce: oidc.randomNonce(),
        ...(hasPart(type, 'code') ? { codeVerifier: oidc.randomPKCECodeVerifier() } : {}),
      };
      // Built on a client not told the response type: openid-client 6 would refuse to
      // build the id_token request without a nonce that one test sends on purpose.
      const url = authorizationUrl(client('code'), {
        response_type: type,
        scope: 'openid profile email',
        state: checks.state,
        nonce: checks.nonce,
        ...(checks.codeVerifier
          ? {
              code_challenge: await oidc.calculatePKCECodeChallenge(checks.codeVerifier),
              code_challenge_method: 'S256',
            }
          : {}),
        ...extra,
      });
      return { rp, checks, ...(await respond(provider().base, url)) };
    }

    /**
     * The RP's callback: validates the response (state, iss, the front-channel
     * ID token) and redeems a code. Returns the ID token claims it validated
     * (the token endpoint's when there is a code) and any tokens it redeemed.
     */
    async function callback(
      rp: oidc.Configuration,
      checks: Awaited<ReturnType<typeof authorize>>['checks'],
      res: { mode: Mode; params: Params },
    ) {
      const response = received(checks.type, res.mode, res.params);
      if (!hasPart(checks.type, 'code')) {
        const claims = await oidc.implicitAuthentication(rp, response, checks.nonce, {
          expectedState: checks.state,
        });
        return { claims, tokens: undefined };
      }
      const tokens = await oidc.authorizationCodeGrant(rp, response, {
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
        pkceCodeVerifier: checks.codeVerifier!,
      });
      return { claims: tokens.claims()!, tokens };
    }

    // Token-bearing types default to the fragment; form_post is covered on two of them.
    it.each<{ type: string; mode: Mode; hashes: string[] }>([
      { type: 'id_token', mode: 'form_post', hashes: [] },
      { type: 'id_token token', mode: 'fragment', hashes: ['at_hash'] },
      { type: 'code id_token', mode: 'fragment', hashes: ['c_hash'] },
      { type: 'code token', mode: 'form_post', hashes: [] },
      { type: 'code id_token token', mode: 'fragment', hashes: ['at_hash', 'c_hash'] },
    ])('response_type=$type ($mode) passes openid-client', async ({ type, mode, hashes }) => {
      const { rp, checks, ...res } = await authorize(type, { response_mode: mode });
      expect(res.mode).toBe(mode);
      expect(res.params.iss).toBe(provider().base);
      if (res.params.id_token) {
        const front = decodeJwt(res.params.id_token);
        expect(front.nonce).toBe(checks.nonce);
        for (const h of ['at_hash', 'c_hash']) expect(h in front).toBe(hashes.includes(h));
      }
      // Validates signature, nonce and c_hash, and redeems any code.
      const { claims } = await callback(rp, checks, res);
      expect(claims).toMatchObject({ sub: ALICE.sub, aud: 'hybrid', nonce: checks.nonce });
      if (hashes.includes('at_hash')) {
        expect(decodeJwt(res.params.id_token!).at_hash).toBe(atHash(res.params.access_token!));
      }
      // OIDC Core 3.2.2.5, 3.3.2.5: never a refresh token from the authorization endpoint.
      expect(res.params.refresh_token).toBeUndefined();
    });

    it("response_type=id_token carries the scopes' claims in the ID token (OIDC Core 5.4)", async () => {
      const { rp, checks, ...res } = await authorize('id_token');
      expect(res.params.access_token).toBeUndefined();
      const { claims } = await callback(rp, checks, res);
      expect(claims).toMatchObject({
        name: 'Alice Liddell',
        email: 'alice@example.test',
        email_verified: true,
      });
      expect(claims).not.toHaveProperty('roles');
    });

    it('a hybrid ID token leaves the claims to /userinfo, as an access token will exist', async () => {
      const { params } = await authorize('code id_token');
      expect(decodeJwt(params.id_token!)).not.toHaveProperty('email');
    });

    it.each(['id_token token', 'code token', 'code id_token token'])(
      'the front-channel access token of %s works at /userinfo',
      async (type) => {
        const { rp, checks, ...res } = await authorize(type);
        await callback(rp, checks, res);
        const { params } = res;
        expect(params).toMatchObject({ token_type: 'Bearer', scope: 'openid profile email' });
        expect(Number(params.expires_in)).toBeGreaterThan(0);
        expect(params.access_token).toMatch(/^at_/);
        await expect(userinfo(rp, params.access_token!)).resolves.toMatchObject({
          sub: ALICE.sub,
          email: 'alice@example.test',
        });
      },
    );

    it.each(['code id_token', 'code token', 'code id_token token'])(
      'the code of %s redeems once; a replay revokes every token, front channel included',
      async (type) => {
        const { rp, checks, ...res } = await authorize(type);
        const { params } = res;
        const { tokens } = await callback(rp, checks, res);
        await expect(userinfo(rp, tokens!)).resolves.toMatchObject({ sub: ALICE.sub });
        const replay = oidc.genericGrantRequest(rp, 'authorization_code', {
          code: params.code!,
          redirect_uri: REDIRECT_URI,
          code_verifier: checks.codeVerifier!,
        });
        await expect(replay).rejects.toMatchObject({ error: 'invalid_grant' });
        const revoked = [
          tokens!.access_token,
          ...(params.access_token ? [params.access_token] : []),
        ];
        for (const token of revoked)
          await expect(userinfo(rp, token)).rejects.toEqual(bearerChallenge('invalid_token'));
      },
    );

    it('refuses response_mode=query when tokens would be in it, answering in the fragment', async () => {
      const { rp, checks, ...res } = await authorize('id_token token', {
        response_mode: 'query',
      });
      const { mode, params } = res;
      // Multiple Response Type Encoding Practices 2.1: never tokens, nor their errors, in a query.
      expect(mode).toBe('fragment');
      expect(params).toMatchObject({ error: 'invalid_request', state: checks.state });
      expect(params.error_description).toMatch(/response_mode query/);
      await expect(callback(rp, checks, res)).rejects.toBeInstanceOf(
        oidc.AuthorizationResponseError,
      );
    });

    it('answers an implicit request without a nonce with an error response', async () => {
      const { rp, checks, ...res } = await authorize('id_token', { nonce: undefined });
      const { mode, params } = res;
      expect(mode).toBe('fragment');
      expect(params).toMatchObject({ error: 'invalid_request', state: checks.state });
      expect(params.error_description).toMatch(/nonce is required/);
      await expect(callback(rp, checks, res)).rejects.toMatchObject({
        error: 'invalid_request',
      });
    });
  });
}
