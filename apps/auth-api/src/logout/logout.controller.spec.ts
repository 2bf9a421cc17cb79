import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { signSessionId, SESSION_COOKIE } from '../http/session-cookie';
import { deriveKey, decodeSecret } from '@idp/crypto';
import {
  clientJson,
  createAuthApi,
  form,
  FORM_HEADERS,
  ISSUER,
  sessionView,
  TEST_HASH_KEY,
} from '../http/auth-api.fixtures';
import { formOf } from './logout.fixtures';

const RP_LOGOUT = 'https://app.example/logged-out';
const SESSION = sessionView({ sid: 'sid-1', sub: 'user-1', clientIds: ['app', 'other'] });
const cookieKey = deriveKey(decodeSecret(TEST_HASH_KEY), 'auth-api:session-cookie');
const sessionCookie = (sid = SESSION.sid) => `${SESSION_COOKIE}=${signSessionId(cookieKey, sid)}`;

interface Keys {
  privateKey: CryptoKey;
  publicJwk: JWK;
}
async function keys(kid: string): Promise<Keys> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return {
    privateKey,
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' },
  };
}

describe('/logout (RP-Initiated Logout 1.0, Front-Channel Logout 1.0)', () => {
  let app: NestFastifyApplication;
  let ours: Keys;
  let foreign: Keys;
  const endSession = jest.fn();
  const getSession = jest.fn();
  const endSessionGrants = jest.fn();
  const clients: Record<string, Record<string, unknown>> = {
    app: clientJson({ post_logout_redirect_uris: [RP_LOGOUT, 'https://app.example/bye?lang=en'] }),
    other: clientJson({
      client_id: 'other',
      frontchannel_logout_uri: 'https://other.example/fc-logout',
      frontchannel_logout_session_required: true,
    }),
  };

  const idToken = (claims: Record<string, unknown>, signer = ours, typ = 'JWT') =>
    new SignJWT({ sub: 'user-1', aud: 'app', sid: 'sid-1', ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: signer.publicJwk.kid!, typ })
      .setIssuer((claims['iss'] as string | undefined) ?? ISSUER)
      .setIssuedAt()
      .setExpirationTime((claims['exp'] as number | undefined) ?? '10m')
      .sign(signer.privateKey);
  const get = (query: Record<string, string>, cookie?: string) =>
    app.inject({
      method: 'GET',
      url: `/logout?${form(query)}`,
      headers: cookie === undefined ? {} : { cookie },
    });
  const post = (body: string, cookie?: string, headers: Record<string, string> = FORM_HEADERS) =>
    app.inject({
      method: 'POST',
      url: '/logout',
      payload: body,
      headers: { ...headers, ...(cookie === undefined ? {} : { cookie }) },
    });

  beforeAll(async () => {
    ours = await keys('ours');
    foreign = await keys('foreign');
    app = await createAuthApi({
      token: {
        jwks: async () => ({ keys: [ours.publicJwk as unknown as Record<string, never>] }),
        getClient: async ({ clientId }) => ({ client: (clients[clientId] as never) ?? null }),
        endSessionGrants,
      },
      session: { endSession, getSession },
    });
  });
  afterAll(() => app.close());
  beforeEach(() => {
    jest.resetAllMocks();
    getSession.mockResolvedValue({ session: SESSION });
    endSession.mockResolvedValue({
      ended: { sid: SESSION.sid, sub: SESSION.sub, clientIds: SESSION.clientIds },
    });
    endSessionGrants.mockResolvedValue({ revokedGrants: 2 });
  });

  function expectEnded(initiatedBy?: string) {
    expect(endSession).toHaveBeenCalledWith({
      sid: 'sid-1',
      reason: 'rp_logout',
      ...(initiatedBy === undefined ? {} : { initiatedBy }),
    });
    expect(endSessionGrants).toHaveBeenCalledWith({ sid: 'sid-1' });
  }
  function expectCookieCleared(res: { headers: Record<string, unknown> }) {
    expect(String(res.headers['set-cookie'])).toMatch(
      /^idp_session=; Path=\/; Max-Age=0; HttpOnly/,
    );
  }

  it('ends the session tied to a valid hint, revokes its tokens, and frames the front-channel logout URIs before redirecting', async () => {
    const res = await get(
      { id_token_hint: await idToken({}), post_logout_redirect_uri: RP_LOGOUT, state: 'x y&z' },
      sessionCookie(),
    );
    expectEnded('app');
    expectCookieCleared(res);
    expect(res.statusCode).toBe(200);
    const target = `${RP_LOGOUT}?state=x%20y%26z`;
    expect(res.body).toContain(
      '<iframe src="https://other.example/fc-logout?iss=https%3A%2F%2Fidp.example.com&amp;sid=sid-1"',
    );
    expect(res.body).toContain(`<a href="${target.replace(/&/g, '&amp;')}">`);
    expect(res.body).toContain(`<meta http-equiv="refresh" content="2; url='${target}'">`);
    // The page may frame exactly the RPs' origins, nothing else loads.
    expect(res.headers['content-security-policy']).toMatch(
      /^default-src 'none'; .*; frame-src https:\/\/other\.example$/,
    );
  });

  it('answers 303 to the registered URI with state when no client needs a frame', async () => {
    endSession.mockResolvedValue({ ended: { sid: 'sid-1', sub: 'user-1', clientIds: ['app'] } });
    const res = await post(
      form({
        id_token_hint: await idToken({}),
        post_logout_redirect_uri: 'https://app.example/bye?lang=en',
        state: 's1',
      }),
      sessionCookie(),
    );
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('https://app.example/bye?lang=en&state=s1');
    expectEnded('app');
    expectCookieCleared(res);
  });

  it('accepts an expired hint (RP-Initiated Logout 1.0 section 2)', async () => {
    const past = Math.floor(Date.now() / 1000) - 86_400;
    const hint = await new SignJWT({ sub: 'user-1', aud: 'app', sid: 'sid-1' })
      .setProtectedHeader({ alg: 'ES256', kid: 'ours', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setIssuedAt(past - 3600)
      .setExpirationTime(past)
      .sign(ours.privateKey);
    const res = await get({ id_token_hint: hint, client_id: 'app' }, sessionCookie());
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('You have been logged out');
    expectEnded('app');
  });

  it('asks for confirmation without a hint, and ends the session only on the confirmed POST with its CSRF token', async () => {
    const ask = await get(
      { client_id: 'app', post_logout_redirect_uri: RP_LOGOUT, state: 'st' },
      sessionCookie(),
    );
    expect(ask.statusCode).toBe(200);
    expect(ask.body).toContain('Log out of https://idp.example.com?');
    expect(endSession).not.toHaveBeenCalled();
    const page = formOf(ask.body);
    expect(page.action).toBe('https://idp.example.com/logout');
    expect(page.fields).toMatchObject({
      client_id: 'app',
      post_logout_redirect_uri: RP_LOGOUT,
      state: 'st',
    });

    const forged = await post(
      form({ ...page.fields, csrf: 'A'.repeat(22) + '.' + 'B'.repeat(43), decision: 'logout' }),
      sessionCookie(),
    );
    expect(forged.statusCode).toBe(403);
    expect(endSession).not.toHaveBeenCalled();
    // A token made for another session does not end this one either.
    const otherSession = await post(
      form({ ...page.fields, decision: 'logout' }),
      sessionCookie('sid-2'),
    );
    expect(otherSession.statusCode).toBe(403);
    expect(endSession).not.toHaveBeenCalled();

    const stay = await post(form({ ...page.fields, decision: 'stay' }), sessionCookie());
    expect(stay.body).toContain('You are still signed in');
    expect(endSession).not.toHaveBeenCalled();

    endSession.mockResolvedValue({ ended: { sid: 'sid-1', sub: 'user-1', clientIds: ['app'] } });
    const done = await post(form({ ...page.fields, decision: 'logout' }), sessionCookie());
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`${RP_LOGOUT}?state=st`);
    expectEnded('app');
  });

  it('asks when the hint names another session or user', async () => {
    for (const claims of [{ sid: 'sid-other' }, { sid: undefined, sub: 'user-2' }]) {
      const res = await get({ id_token_hint: await idToken(claims) }, sessionCookie());
      expect(res.body).toContain('Log out of');
    }
    expect(endSession).not.toHaveBeenCalled();
  });

  it('succeeds without a session: the logged-out page, or the validated redirect', async () => {
    const page = await get({});
    expect([page.statusCode, page.body.includes('You have been logged out')]).toEqual([200, true]);
    const redirect = await get({ client_id: 'app', post_logout_redirect_uri: RP_LOGOUT });
    expect([redirect.statusCode, redirect.headers.location]).toEqual([303, RP_LOGOUT]);
    expect(endSession).not.toHaveBeenCalled();
  });

  it.each([
    ['a hint signed by another key', async () => ({ id_token_hint: await idToken({}, foreign) })],
    [
      'a hint of another issuer',
      async () => ({ id_token_hint: await idToken({ iss: 'https://evil.example' }) }),
    ],
    [
      'an access token as hint',
      async () => ({ id_token_hint: await idToken({}, undefined, 'at+jwt') }),
    ],
    ['an unparseable hint', async () => ({ id_token_hint: 'not.a.jwt' })],
    [
      'an unregistered post_logout_redirect_uri',
      async () => ({ client_id: 'app', post_logout_redirect_uri: 'https://evil.example/' }),
    ],
    [
      'a redirect URI that differs only in case',
      async () => ({ client_id: 'app', post_logout_redirect_uri: RP_LOGOUT.toUpperCase() }),
    ],
    ['a redirect URI without a client', async () => ({ post_logout_redirect_uri: RP_LOGOUT })],
    [
      'an unknown client_id',
      async () => ({ client_id: 'nobody', post_logout_redirect_uri: RP_LOGOUT }),
    ],
    [
      'a client_id that is not the hint audience',
      async () => ({ id_token_hint: await idToken({}), client_id: 'other' }),
    ],
    ['a huge value', async () => ({ state: 'x'.repeat(5000), client_id: 'app' })],
  ])('refuses %s with the error page, no redirect, nothing ended', async (_, params) => {
    const res = await get(await params(), sessionCookie());
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers.location).toBeUndefined();
    expect(res.body).toContain('Logout could not complete');
    expect(res.body).toContain('invalid_request');
    expect(endSession).not.toHaveBeenCalled();
  });

  it('refuses repeated parameters and a non-form POST body with the error page', async () => {
    const repeated = await app.inject({
      method: 'GET',
      url: `/logout?client_id=app&client_id=other&post_logout_redirect_uri=${encodeURIComponent(RP_LOGOUT)}`,
    });
    expect([repeated.statusCode, repeated.headers.location]).toEqual([400, undefined]);
    expect(repeated.body).toContain('must not be repeated');
    const json = await post(JSON.stringify({ client_id: 'app' }), sessionCookie(), {
      'content-type': 'application/json',
    });
    // One body policy: any body that is not a form is 415, shown on the error page.
    expect(json.statusCode).toBe(415);
    expect(json.body).toContain('Logout could not complete');
    const text = await post('client_id=app', sessionCookie(), { 'content-type': 'text/plain' });
    expect([text.statusCode, text.headers['content-type']]).toEqual([
      415,
      'text/html; charset=utf-8',
    ]);
    expect(endSession).not.toHaveBeenCalled();
  });
});
