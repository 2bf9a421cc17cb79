import { decodeJwt } from 'jose';
import { errors, generators, type Client, type Issuer } from 'openid-client';
import { CookieBrowser, formOf } from './browser';
import { ALICE, REDIRECT_URI } from './seed';

export interface ProviderUnderTest {
  readonly base: string;
  readonly issuer: Issuer<Client>;
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
        // openid-client parses query strings; a fragment uses the same encoding (RFC 6749 4.2.2).
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
 * OIDC Core 3.2 (implicit) and 3.3 (hybrid) against openid-client, which
 * checks nonce, at_hash and c_hash itself. Runs inside the OIDC suite's
 * describe, against the provider it started.
 */
export function implicitHybridSuite(provider: () => ProviderUnderTest): void {
  describe('implicit and hybrid flows', () => {
    const client = () => {
      const { issuer } = provider();
      return new issuer.Client({
        client_id: 'hybrid',
        client_secret: 'hybrid-secret-0123456789abcdefghij',
        redirect_uris: [REDIRECT_URI],
      });
    };

    /** One authorization with `type`; the checks are what the RP kept in its session. */
    async function authorize(type: string, extra: Record<string, string | undefined> = {}) {
      const rp = client();
      const checks = {
        response_type: type,
        state: generators.state(),
        nonce: generators.nonce(),
        ...(hasPart(type, 'code') ? { code_verifier: generators.codeVerifier() } : {}),
      };
      const url = rp.authorizationUrl({
        response_type: type,
        scope: 'openid profile email',
        state: checks.state,
        nonce: checks.nonce,
        ...(checks.code_verifier
          ? {
              code_challenge: generators.codeChallenge(checks.code_verifier),
              code_challenge_method: 'S256',
            }
          : {}),
        ...extra,
      });
      return { rp, checks, ...(await respond(provider().base, url)) };
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
      // Validates signature, nonce, at_hash and c_hash, and redeems any code.
      const tokens = await rp.callback(REDIRECT_URI, res.params, checks);
      expect(tokens.claims()).toMatchObject({ sub: ALICE.sub, aud: 'hybrid', nonce: checks.nonce });
      // OIDC Core 3.2.2.5, 3.3.2.5: never a refresh token from the authorization endpoint.
      expect(res.params.refresh_token).toBeUndefined();
    });

    it("response_type=id_token carries the scopes' claims in the ID token (OIDC Core 5.4)", async () => {
      const { rp, checks, params } = await authorize('id_token');
      expect(params.access_token).toBeUndefined();
      const tokens = await rp.callback(REDIRECT_URI, params, checks);
      expect(tokens.claims()).toMatchObject({
        name: 'Alice Liddell',
        email: 'alice@example.test',
        email_verified: true,
      });
      expect(tokens.claims()).not.toHaveProperty('roles');
    });

    it('a hybrid ID token leaves the claims to /userinfo, as an access token will exist', async () => {
      const { params } = await authorize('code id_token');
      expect(decodeJwt(params.id_token!)).not.toHaveProperty('email');
    });

    it.each(['id_token token', 'code token', 'code id_token token'])(
      'the front-channel access token of %s works at /userinfo',
      async (type) => {
        const { rp, checks, params } = await authorize(type);
        await rp.callback(REDIRECT_URI, params, checks);
        expect(params).toMatchObject({ token_type: 'Bearer', scope: 'openid profile email' });
        expect(Number(params.expires_in)).toBeGreaterThan(0);
        expect(params.access_token).toMatch(/^at_/);
        await expect(rp.userinfo(params.access_token!)).resolves.toMatchObject({
          sub: ALICE.sub,
          email: 'alice@example.test',
        });
      },
    );

    it.each(['code id_token', 'code token', 'code id_token token'])(
      'the code of %s redeems once; a replay revokes every token, front channel included',
      async (type) => {
        const { rp, checks, params } = await authorize(type);
        const tokens = await rp.callback(REDIRECT_URI, params, checks);
        await expect(rp.userinfo(tokens.access_token!)).resolves.toMatchObject({ sub: ALICE.sub });
        const replay = rp.grant({
          grant_type: 'authorization_code',
          code: params.code!,
          redirect_uri: REDIRECT_URI,
          code_verifier: checks.code_verifier!,
        });
        await expect(replay).rejects.toMatchObject({ error: 'invalid_grant' });
        const revoked = [
          tokens.access_token!,
          ...(params.access_token ? [params.access_token] : []),
        ];
        for (const token of revoked)
          await expect(rp.userinfo(token)).rejects.toMatchObject({ error: 'invalid_token' });
      },
    );

    it('refuses response_mode=query when tokens would be in it, answering in the fragment', async () => {
      const { rp, checks, mode, params } = await authorize('id_token token', {
        response_mode: 'query',
      });
      // Multiple Response Type Encoding Practices 2.1: never tokens, nor their errors, in a query.
      expect(mode).toBe('fragment');
      expect(params).toMatchObject({ error: 'invalid_request', state: checks.state });
      expect(params.error_description).toMatch(/response_mode query/);
      await expect(rp.callback(REDIRECT_URI, params, checks)).rejects.toBeInstanceOf(
        errors.OPError,
      );
    });

    it('answers an implicit request without a nonce with an error response', async () => {
      const { rp, checks, mode, params } = await authorize('id_token', { nonce: undefined });
      expect(mode).toBe('fragment');
      expect(params).toMatchObject({ error: 'invalid_request', state: checks.state });
      expect(params.error_description).toMatch(/nonce is required/);
      await expect(rp.callback(REDIRECT_URI, params, checks)).rejects.toMatchObject({
        error: 'invalid_request',
      });
    });
  });
}
