import { randomBytes } from '@idp/crypto';
import { CookieBrowser, formOf } from '../oidc/browser';
import { ALICE } from '../oidc/seed';
import {
  badInputProvider,
  CODE_CHALLENGE,
  expectHtmlError,
  expectNoLeak,
  expectPageHeaders,
  FORM,
  ONE_MB,
  REDIRECT_URI,
  send,
  type Answer,
} from './bad-input.support';

const VALID: Readonly<Record<string, string>> = {
  client_id: 'web-opaque',
  redirect_uri: REDIRECT_URI,
  response_type: 'code',
  scope: 'openid',
  state: 'st-1',
  code_challenge: CODE_CHALLENGE,
  code_challenge_method: 'S256',
};

const EXPIRED = 'this sign-in request has expired or is already complete';

async function answer(res: Response): Promise<Answer> {
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/**
 * The login and consent pages (GET /interaction/:id, POST .../login and
 * .../consent): browser-facing, so every failure is HTML with a 4xx, never
 * JSON and never a redirect to the client for input the client did not send.
 * A wrong password is the login page again with 200 (no enumeration).
 */
describe('bad input: login and consent pages', () => {
  const { provider, writesNothing } = badInputProvider();
  const base = () => provider().base;

  interface Step {
    readonly browser: CookieBrowser;
    /** The interaction page, e.g. http://127.0.0.1:1234/interaction/<id>. */
    readonly url: string;
    readonly csrf: string;
    readonly fields: Record<string, string>;
  }

  /** /authorize → the login page of a fresh interaction, in a fresh cookie jar. */
  async function loginStep(params: Record<string, string> = VALID): Promise<Step> {
    const browser = new CookieBrowser();
    const authz = await browser.fetch(`${base()}/authorize?${new URLSearchParams(params)}`);
    expect(authz.status).toBe(303);
    const url = new URL(authz.headers.get('location')!, base()).toString();
    const page = await browser.fetch(url);
    expect(page.status).toBe(200);
    const { fields } = formOf(await page.text());
    return { browser, url, csrf: fields['csrf']!, fields };
  }

  /** Signs alice in with prompt=consent: the interaction stops at the consent page. */
  async function consentStep(): Promise<Step> {
    const login = await loginStep({ ...VALID, prompt: 'consent' });
    const res = await post(login, '/login', {
      ...login.fields,
      username: ALICE.username,
      password: ALICE.password,
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(login.url);
    const page = await login.browser.fetch(login.url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('value="allow"');
    const { fields } = formOf(html);
    return { ...login, csrf: fields['csrf']!, fields };
  }

  async function post(
    step: Step,
    action: '/login' | '/consent',
    body: Record<string, string> | string | Buffer,
    contentType: string | null = FORM,
  ): Promise<Answer> {
    const payload =
      typeof body === 'string' || Buffer.isBuffer(body)
        ? body
        : new URLSearchParams(body).toString();
    return answer(
      await step.browser.fetch(`${step.url}${action}`, {
        method: 'POST',
        headers: contentType === null ? {} : { 'content-type': contentType },
        body: payload,
      }),
    );
  }

  /** The login page again, with the given status and alert. */
  function expectLoginPage(a: Answer, status: number, alert: string): void {
    expectNoLeak(a);
    expect({ status: a.status, body: a.text.slice(0, 200) }).toMatchObject({ status });
    expect(a.headers.get('location')).toBeNull();
    expectPageHeaders(a);
    expect(a.text).toContain('<title>Sign in</title>');
    expect(a.text).toContain(`role="alert">${alert}</p>`);
  }

  describe('GET /interaction/:id', () => {
    it.each([
      ['an unknown id', () => `/interaction/${randomBytes(16).toString('base64url')}`],
      ['an id with %00', () => '/interaction/%00'],
      ['an id that is not one of ours', () => '/interaction/..%2F..%2Fetc%2Fpasswd'],
      ['a 100-character id', () => `/interaction/${'a'.repeat(100)}`],
    ])('shows the expired page for %s', async (_, path) => {
      await writesNothing(async () => {
        expectHtmlError(await send(base(), path()), 400, 'invalid_request', EXPIRED);
      });
    });

    it('shows the expired page for a forged or truncated interaction cookie', async () => {
      const step = await loginStep();
      await writesNothing(async () => {
        for (const cookie of [
          'idp_interaction=forged',
          `idp_interaction=${'A'.repeat(3000)}`,
          'idp_interaction=%00',
          'idp_interaction=',
        ]) {
          const res = await answer(await fetch(step.url, { headers: { cookie } }));
          expectHtmlError(res, 400, 'invalid_request', EXPIRED);
        }
      });
    });

    it("refuses another interaction's cookie (the id is bound into the cookie)", async () => {
      const first = await loginStep();
      const second = await loginStep();
      await writesNothing(async () => {
        // The second jar holds only the second interaction's cookie.
        const res = await answer(await second.browser.fetch(first.url));
        expectHtmlError(res, 400, 'invalid_request', EXPIRED);
      });
    });
  });

  describe('POST /interaction/:id/login', () => {
    it('without the interaction cookie shows the expired page', async () => {
      const step = await loginStep();
      await writesNothing(async () => {
        const res = await send(base(), `${new URL(step.url).pathname}/login`, {
          method: 'POST',
          headers: { 'content-type': FORM },
          body: new URLSearchParams({
            ...step.fields,
            username: 'alice',
            password: 'x',
          }).toString(),
        });
        expectHtmlError(res, 400, 'invalid_request', EXPIRED);
      });
    });

    it.each([
      ['a wrong CSRF token', (s: Step) => ({ ...s.fields, csrf: `${s.csrf.slice(0, -2)}AA` })],
      ['a CSRF token of another interaction', (s: Step) => ({ ...s.fields, csrf: 'x.y' })],
      ['no CSRF token', (s: Step) => ({ interaction_id: s.fields['interaction_id']! })],
    ])('with %s: 403 and the form again, before any password check', async (_, fields) => {
      const step = await loginStep();
      await writesNothing(async () => {
        const res = await post(step, '/login', {
          ...fields(step),
          username: ALICE.username,
          password: ALICE.password,
        });
        expectLoginPage(res, 403, 'This sign-in form expired. Please try again.');
        // The interaction is still usable.
        expect((await step.browser.fetch(step.url)).status).toBe(200);
      });
    });

    it.each([
      ['a password over 1000 characters', { password: 'p'.repeat(1500) }],
      ['a username with %00', { username: `${ALICE.username}\u0000` }],
      ['a password with %00', { password: `${ALICE.password}\u0000` }],
      ['a username with markup', { username: '<script>alert(1)</script>' }],
      ['an empty password', { password: '' }],
      ['no username', { username: '' }],
      ['unknown extra fields', { password: 'wrong', is_admin: 'true', sub: 'user-alice-0001' }],
    ])('with %s: the login page again with 200 and a fixed message', async (_, change) => {
      const step = await loginStep();
      await writesNothing(async () => {
        const res = await post(step, '/login', {
          ...step.fields,
          username: ALICE.username,
          password: 'wrong-password',
          ...change,
        });
        expectLoginPage(res, 200, 'Wrong username or password.');
        expect(res.text).not.toContain('<script>alert');
      });
    });

    it('with broken %-encoding (kept as text, as browsers do): the login page again with 200', async () => {
      const step = await loginStep();
      const body = `${new URLSearchParams(step.fields)}&username=%zz&password=%`;
      await writesNothing(async () => {
        expectLoginPage(await post(step, '/login', body), 200, 'Wrong username or password.');
      });
    });

    // One body policy (issue #13): a form that is not UTF-8 is refused before any check.
    it.each([
      [
        'non-UTF-8 %-encoding',
        (s: Step) => `${new URLSearchParams(s.fields)}&username=alice&password=%ff%fe`,
        'the form is not valid percent-encoded UTF-8',
      ],
      [
        'raw non-UTF-8 bytes',
        (s: Step) =>
          Buffer.concat([
            Buffer.from(`${new URLSearchParams(s.fields)}&username=alice&password=`),
            Buffer.from([0xff, 0xfe, 0x00]),
          ]),
        'the form is not valid UTF-8',
      ],
    ])('with %s in the password: the HTML error page (400)', async (_, body, text) => {
      const step = await loginStep();
      await writesNothing(async () => {
        expectHtmlError(await post(step, '/login', body(step)), 400, 'invalid_request', text);
      });
    });

    it.each([
      [
        'a repeated username',
        (s: Step) => `${new URLSearchParams(s.fields)}&username=alice&username=bob&password=x`,
        FORM,
        400,
      ],
      [
        'a repeated csrf',
        (s: Step) => `${new URLSearchParams(s.fields)}&csrf=${s.csrf}&username=alice&password=x`,
        FORM,
        400,
      ],
      [
        'a 5 000-character username',
        (s: Step) => `${new URLSearchParams(s.fields)}&username=${'u'.repeat(5000)}&password=x`,
        FORM,
        400,
      ],
      // Every media type but a form is 415, before it is parsed (one body policy, issue #13).
      [
        'a JSON body',
        (s: Step) => JSON.stringify({ ...s.fields, username: 'alice', password: ALICE.password }),
        'application/json',
        415,
      ],
      [
        'a text/plain body',
        (s: Step) => `${new URLSearchParams(s.fields)}&username=alice&password=x`,
        'text/plain',
        415,
      ],
      ['a body without a content type (fetch calls it text/plain)', () => '', null, 415],
      ['malformed JSON', () => '{"username":', 'application/json', 415],
      [
        'a 1 MB body',
        (s: Step) =>
          `${new URLSearchParams(s.fields)}&username=alice&password=${'p'.repeat(ONE_MB)}`,
        FORM,
        413,
      ],
      ['an unknown content type', () => 'x', 'application/x-weird', 415],
    ])('with %s: the HTML error page', async (_, body, type, status) => {
      const step = await loginStep();
      await writesNothing(async () => {
        expectHtmlError(await post(step, '/login', body(step), type), status, 'invalid_request');
      });
    });

    it('a malformed or forged POST leaves the sign-in running: the right password still works', async () => {
      const step = await loginStep();
      const repeated = `${new URLSearchParams(step.fields)}&username=a&username=b&password=x`;
      expectHtmlError(await post(step, '/login', repeated), 400, 'invalid_request');
      const forged = { username: ALICE.username, password: ALICE.password, csrf: 'x.y' };
      expectLoginPage(
        await post(step, '/login', forged),
        403,
        'This sign-in form expired. Please try again.',
      );
      const res = await post(step, '/login', {
        ...step.fields,
        username: ALICE.username,
        password: ALICE.password,
      });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toMatch(new RegExp(`^${REDIRECT_URI}\\?code=`));
    });

    it('a consent POST while the login is pending goes back to the login page', async () => {
      const step = await loginStep();
      await writesNothing(async () => {
        const res = await post(step, '/consent', { ...step.fields, decision: 'allow' });
        expect(res.status).toBe(303);
        expect(res.headers.get('location')).toBe(step.url);
      });
    });
  });

  describe('POST /interaction/:id/consent', () => {
    /** The consent page again, with the given status. */
    function expectConsentPage(a: Answer, status: number): void {
      expectNoLeak(a);
      expect({ status: a.status, body: a.text.slice(0, 200) }).toMatchObject({ status });
      expect(a.headers.get('location')).toBeNull();
      expectPageHeaders(a);
      expect(a.text).toContain('<title>Allow access</title>');
    }

    it.each([
      ['an unknown decision', (s: Step) => ({ ...s.fields, decision: 'maybe' }), 400],
      ['a decision with %00', (s: Step) => ({ ...s.fields, decision: 'allow\u0000' }), 400],
      ['no decision', (s: Step) => ({ ...s.fields }), 400],
      ['a wrong CSRF token', (s: Step) => ({ ...s.fields, csrf: 'x.y', decision: 'allow' }), 403],
      ['no CSRF token', () => ({ decision: 'allow' }), 403],
    ])('with %s: the consent page again', async (_, fields, status) => {
      const step = await consentStep();
      await writesNothing(async () => {
        expectConsentPage(await post(step, '/consent', fields(step)), status);
      });
    });

    it.each([
      [
        'a repeated decision',
        (s: Step) => `${new URLSearchParams(s.fields)}&decision=allow&decision=deny`,
        FORM,
        400,
      ],
      [
        'a JSON body',
        (s: Step) => JSON.stringify({ ...s.fields, decision: 'allow' }),
        'application/json',
        415,
      ],
      [
        'a 1 MB body',
        (s: Step) => `${new URLSearchParams(s.fields)}&decision=allow&x=${'a'.repeat(ONE_MB)}`,
        FORM,
        413,
      ],
      ['an unknown content type', () => 'decision=allow', 'application/x-weird', 415],
    ])('with %s: the HTML error page', async (_, body, type, status) => {
      const step = await consentStep();
      await writesNothing(async () => {
        expectHtmlError(await post(step, '/consent', body(step), type), status, 'invalid_request');
      });
    });

    it('a login POST while the consent is pending goes back to the consent page', async () => {
      const step = await consentStep();
      await writesNothing(async () => {
        const res = await post(step, '/login', {
          ...step.fields,
          username: ALICE.username,
          password: ALICE.password,
        });
        expect(res.status).toBe(303);
        expect(res.headers.get('location')).toBe(step.url);
      });
    });
  });
});
