import { calculatePKCECodeChallenge, randomPKCECodeVerifier } from 'openid-client';
import { CookieBrowser, formOf } from '../oidc/browser';
import { ALICE } from '../oidc/seed';
import {
  badInputProvider,
  basic,
  BATCH_JOB,
  expectJsonError,
  FORM,
  ONE_MB,
  postForm,
  rawRequest,
  REDIRECT_URI,
  send,
  sendRaw,
  WEB_OPAQUE,
} from './bad-input.support';

const CC = 'grant_type=client_credentials';
const UNSUPPORTED =
  'unsupported content type: the request body must be application/x-www-form-urlencoded';
const NOT_UTF8 = 'the form is not valid percent-encoded UTF-8';
const BASIC_CHALLENGE = /^Basic realm="idp"$/;
const WEB_JWT = { id: 'web-jwt', secret: 'web-jwt-secret-0123456789abcdefgh' };
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * The token endpoint (RFC 6749 3.2, 5.2; RFC 7523): every error is JSON
 * with its RFC status and code and `Cache-Control: no-store`; a failed HTTP
 * Basic authentication is 401 with a Basic challenge (RFC 6749 5.2). Nothing
 * is written for a request that fails.
 */
describe('bad input: /token', () => {
  const { provider, writesNothing } = badInputProvider();
  const base = () => provider().base;
  const batchJob = { authorization: basic(BATCH_JOB.id, BATCH_JOB.secret) };
  const webOpaque = { authorization: basic(WEB_OPAQUE.id, WEB_OPAQUE.secret) };

  it('issues a token for the valid request (the baseline every case breaks)', async () => {
    const res = await postForm(base(), '/token', `${CC}&scope=reports:read`, batchJob);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  describe('the body', () => {
    it.each([
      ['no body and no content type', undefined, undefined, 400, /x-www-form-urlencoded/],
      // One body policy (issue #13): every media type but a form is 415, before it is parsed.
      [
        'a JSON body',
        'application/json',
        JSON.stringify({ grant_type: 'client_credentials' }),
        415,
        UNSUPPORTED,
      ],
      ['a form as text/plain', 'text/plain', CC, 415, UNSUPPORTED],
      ['malformed JSON', 'application/json', '{"grant_type":', 415, UNSUPPORTED],
      [
        'JSON with __proto__',
        'application/json',
        '{"__proto__":{"grant_type":"client_credentials"}}',
        415,
        UNSUPPORTED,
      ],
      ['an unknown content type', 'application/x-weird', CC, 415, UNSUPPORTED],
      [
        'multipart/form-data',
        'multipart/form-data; boundary=x',
        `--x\r\nContent-Disposition: form-data; name="grant_type"\r\n\r\nclient_credentials\r\n--x--`,
        415,
        UNSUPPORTED,
      ],
      [
        'a form in UTF-16 (issue #13, defect 8)',
        `${FORM}; charset=utf-16`,
        CC,
        400,
        'the form must be encoded in UTF-8 (charset=utf-8, or no charset)',
      ],
      ['a 1 MB form', FORM, `${CC}&x=${'a'.repeat(ONE_MB)}`, 413, 'request body too large'],
      [
        'a 1 MB JSON body',
        'application/json',
        JSON.stringify({ x: 'a'.repeat(ONE_MB) }),
        415,
        UNSUPPORTED,
      ],
    ])('%s', async (_, type, body, status, description) => {
      await writesNothing(async () => {
        const res = await send(base(), '/token', {
          method: 'POST',
          headers: { ...batchJob, ...(type === undefined ? {} : { 'content-type': type }) },
          ...(body === undefined ? {} : { body }),
        });
        expectJsonError(
          res,
          status,
          'invalid_request',
          description === undefined ? {} : { description },
        );
      });
    });
  });

  describe('grant_type and grant parameters', () => {
    it.each([
      ['no grant_type', 'scope=reports:read', 'invalid_request', 'grant_type is required'],
      ['an empty grant_type', 'grant_type=', 'invalid_request', 'grant_type is required'],
      [
        'a repeated grant_type',
        `${CC}&${CC}`,
        'invalid_request',
        'parameter grant_type must not be repeated',
      ],
      [
        'two different grant_types',
        `${CC}&grant_type=refresh_token`,
        'invalid_request',
        'parameter grant_type must not be repeated',
      ],
      ['an unknown grant_type', 'grant_type=magic', 'unsupported_grant_type', undefined],
      [
        'grant_type password (not supported)',
        'grant_type=password&username=alice&password=x',
        'unsupported_grant_type',
        undefined,
      ],
      [
        'grant_type implicit (not a token grant)',
        'grant_type=implicit',
        'unsupported_grant_type',
        undefined,
      ],
      [
        'the JWT bearer grant (not supported)',
        'grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=a.b.c',
        'unsupported_grant_type',
        undefined,
      ],
      [
        // RFC 8628 is supported (ADR 0032), but only for clients registered with its grant type.
        'the device grant from a client not registered for it',
        'grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=x',
        'unauthorized_client',
        undefined,
      ],
      [
        'a grant_type with %00',
        'grant_type=client_credentials%00',
        'unsupported_grant_type',
        undefined,
      ],
      ['a grant_type in non-UTF-8 %-encoding', 'grant_type=%ff%fe', 'invalid_request', NOT_UTF8],
      [
        'a grant_type of another case',
        'grant_type=Client_Credentials',
        'unsupported_grant_type',
        undefined,
      ],
      [
        'a 5 000-character grant_type',
        `grant_type=${'g'.repeat(5000)}`,
        'invalid_request',
        'parameter grant_type must not exceed 2048 characters',
      ],
      [
        'grant_type hidden behind __proto__ (issue #13, defect 10)',
        '__proto__%5Bgrant_type%5D=client_credentials&__proto__=x',
        'invalid_request',
        'a parameter name may only contain letters, digits, hyphens, periods and underscores',
      ],
      [
        'a bracketed parameter name (issue #13, defect 10)',
        `${CC}&scope%5Ba%5D=x`,
        'invalid_request',
        'a parameter name may only contain letters, digits, hyphens, periods and underscores',
      ],
      [
        'a repeated scope',
        `${CC}&scope=reports:read&scope=reports:write`,
        'invalid_request',
        'parameter scope must not be repeated',
      ],
      ['a scope the client has not', `${CC}&scope=admin`, 'invalid_scope', undefined],
      ['a scope with %00', `${CC}&scope=reports:read%00`, 'invalid_scope', undefined],
      ['a scope in non-UTF-8 %-encoding', `${CC}&scope=%ff`, 'invalid_request', NOT_UTF8],
    ])('%s', async (_, body, error, description) => {
      await writesNothing(async () => {
        const res = await postForm(base(), '/token', body, batchJob);
        expectJsonError(res, 400, error, description === undefined ? {} : { description });
      });
    });

    it('echoes no control or non-ASCII characters in error_description (RFC 6749 5.2)', async () => {
      await writesNothing(async () => {
        const res = await postForm(base(), '/token', 'grant_type=a%00%22%5C%C3%A9%0Ab', batchJob);
        expectJsonError(res, 400, 'unsupported_grant_type', {
          description: 'grant_type a?????b is not supported',
        });
      });
    });

    it('a grant the client is not registered for is unauthorized_client', async () => {
      await writesNothing(async () => {
        expectJsonError(
          await postForm(base(), '/token', CC, webOpaque),
          400,
          'unauthorized_client',
        );
      });
    });

    it('raw non-UTF-8 bytes in the form', async () => {
      await writesNothing(async () => {
        const body = Buffer.concat([Buffer.from(`${CC}&scope=`), Buffer.from([0xff, 0xfe, 0x00])]);
        expectJsonError(await postForm(base(), '/token', body, batchJob), 400, 'invalid_request', {
          description: 'the form is not valid UTF-8',
        });
      });
    });
  });

  describe('client authentication', () => {
    it.each([
      ['no client authentication', {}, CC],
      ['Basic that is not base64', { authorization: 'Basic !!!!' }, CC],
      [
        'Basic base64 without a colon',
        { authorization: `Basic ${Buffer.from('batch-job').toString('base64')}` },
        CC,
      ],
      ['Basic with an empty secret', { authorization: basic(BATCH_JOB.id, '') }, CC],
      ['Basic with an empty client_id', { authorization: basic('', BATCH_JOB.secret) }, CC],
      ['Basic with nothing after the scheme', { authorization: 'Basic' }, CC],
      [
        'Basic with two tokens',
        { authorization: `${basic(BATCH_JOB.id, BATCH_JOB.secret)} extra` },
        CC,
      ],
      ['Basic with broken %-encoding', { authorization: basic('%zz', BATCH_JOB.secret) }, CC],
      [
        'Basic with non-UTF-8 bytes after decoding',
        {
          authorization: `Basic ${Buffer.concat([Buffer.from('batch-job:'), Buffer.from([0xff, 0xfe])]).toString('base64')}`,
        },
        CC,
      ],
      [
        'Basic with %00 in the client_id',
        { authorization: basic('batch-job%00', BATCH_JOB.secret) },
        CC,
      ],
      ['Basic with a wrong secret', { authorization: basic(BATCH_JOB.id, 'wrong') }, CC],
      [
        'Basic with the secret with %00 appended',
        { authorization: basic(BATCH_JOB.id, `${BATCH_JOB.secret}%00`) },
        CC,
      ],
      ['Basic for an unknown client', { authorization: basic('nobody', 'secret') }, CC],
      [
        'Basic for a client_secret_post client',
        { authorization: basic(WEB_JWT.id, WEB_JWT.secret) },
        'grant_type=refresh_token&refresh_token=x',
      ],
      [
        'Basic with a 10 000-character client_id (under the header limit)',
        { authorization: basic('c'.repeat(10_000), 's') },
        CC,
      ],
      ['another scheme (Bearer)', { authorization: 'Bearer abc' }, CC],
      ['another scheme (Digest)', { authorization: 'Digest username="batch-job"' }, CC],
    ])('%s: 401 invalid_client with a Basic challenge', async (_, headers, body) => {
      await writesNothing(async () => {
        const res = await postForm(base(), '/token', body, headers);
        expectJsonError(res, 401, 'invalid_client', { challenge: BASIC_CHALLENGE });
      });
    });

    it.each([
      [
        'a wrong client_secret_post secret',
        `grant_type=refresh_token&refresh_token=x&client_id=${WEB_JWT.id}&client_secret=wrong`,
      ],
      [
        'a 1 000-character client_secret',
        `grant_type=refresh_token&refresh_token=x&client_id=${WEB_JWT.id}&client_secret=${'s'.repeat(1000)}`,
      ],
      ['a client_id of nobody', 'grant_type=authorization_code&code=x&client_id=nobody'],
      ['a client_id with %00', 'grant_type=authorization_code&code=x&client_id=spa%00'],
      [
        'a secret for a public client',
        'grant_type=authorization_code&code=x&client_id=spa&client_secret=x',
      ],
      [
        'client_id alone for a confidential client',
        `grant_type=client_credentials&client_id=${BATCH_JOB.id}`,
      ],
      [
        'an unsupported client_assertion_type',
        `${CC}&client_assertion=a.b.c&client_assertion_type=urn%3Aexample%3Asaml`,
      ],
      [
        'a client_assertion that is not a JWT',
        `grant_type=authorization_code&code=x&client_id=pk-jwt&client_assertion=garbage&client_assertion_type=${encodeURIComponent(JWT_BEARER)}`,
      ],
      [
        'an unsigned client_assertion',
        `grant_type=authorization_code&code=x&client_assertion=${unsignedJwt({ iss: 'pk-jwt', sub: 'pk-jwt' })}&client_assertion_type=${encodeURIComponent(JWT_BEARER)}`,
      ],
    ])('%s: 401 invalid_client', async (_, body) => {
      await writesNothing(async () => {
        expectJsonError(await postForm(base(), '/token', body), 401, 'invalid_client');
      });
    });

    it.each([
      [
        'Basic and client_secret in the body',
        batchJob,
        `${CC}&client_secret=${BATCH_JOB.secret}`,
        'client authentication must use only one method',
      ],
      [
        'Basic and another client_id in the body',
        batchJob,
        `${CC}&client_id=web-opaque`,
        'client_id does not match the Authorization header',
      ],
      [
        'client_secret without client_id',
        {},
        `${CC}&client_secret=${BATCH_JOB.secret}`,
        'client_secret requires client_id',
      ],
      [
        'a repeated client_id',
        {},
        `${CC}&client_id=${BATCH_JOB.id}&client_id=${BATCH_JOB.id}&client_secret=x`,
        'parameter client_id must not be repeated',
      ],
      [
        'a repeated client_secret',
        {},
        `${CC}&client_id=${BATCH_JOB.id}&client_secret=a&client_secret=b`,
        'parameter client_secret must not be repeated',
      ],
      [
        'a client_assertion without its type',
        {},
        `${CC}&client_assertion=a.b.c`,
        'client_assertion and client_assertion_type must be sent together',
      ],
      [
        'a client_assertion_type alone',
        {},
        `${CC}&client_assertion_type=${encodeURIComponent(JWT_BEARER)}`,
        'client_assertion and client_assertion_type must be sent together',
      ],
      [
        'a repeated client_assertion',
        {},
        `${CC}&client_assertion=a.b.c&client_assertion=d.e.f&client_assertion_type=${encodeURIComponent(JWT_BEARER)}`,
        'parameter client_assertion must not be repeated',
      ],
      [
        'a 9 000-character client_assertion',
        {},
        `${CC}&client_assertion=${'a'.repeat(9000)}&client_assertion_type=${encodeURIComponent(JWT_BEARER)}`,
        'parameter client_assertion must not exceed 8192 characters',
      ],
    ])('%s: 400 invalid_request', async (_, headers, body, description) => {
      await writesNothing(async () => {
        const res = await postForm(base(), '/token', body, headers);
        expectJsonError(res, 400, 'invalid_request', { description });
      });
    });

    it('Basic with raw non-UTF-8 bytes in the header', async () => {
      await writesNothing(async () => {
        const header = Buffer.concat([
          Buffer.from('Authorization: Basic '),
          Buffer.from([0xff, 0xfe]),
        ]);
        const res = await sendRaw(
          base(),
          rawRequest('POST /token HTTP/1.1', [header, `Content-Type: ${FORM}`], Buffer.from(CC)),
        );
        expectJsonError(res, 401, 'invalid_client', { challenge: BASIC_CHALLENGE });
      });
    });

    it('a 1 MB Authorization header is refused with 431 before it is read', async () => {
      await writesNothing(async () => {
        const res = await sendRaw(
          base(),
          rawRequest(
            'POST /token HTTP/1.1',
            [`Authorization: Basic ${'A'.repeat(ONE_MB)}`, `Content-Type: ${FORM}`],
            Buffer.from(CC),
          ),
        );
        expectJsonError(res, 431, 'invalid_request');
      });
    });
  });

  describe('authorization_code and refresh_token', () => {
    /** A fresh code of web-opaque for alice (PKCE S256), as the RP receives it. */
    async function freshCode(): Promise<{ code: string; verifier: string }> {
      const verifier = randomPKCECodeVerifier();
      const params = new URLSearchParams({
        client_id: WEB_OPAQUE.id,
        redirect_uri: REDIRECT_URI,
        response_type: 'code',
        scope: 'openid offline_access',
        code_challenge: await calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      });
      const browser = new CookieBrowser();
      const page = await browser.follow(`${base()}/authorize?${params}`);
      const login = formOf(await page.text());
      const res = await browser.fetch(new URL(login.action, base()).toString(), {
        method: 'POST',
        headers: { 'content-type': FORM },
        body: new URLSearchParams({
          ...login.fields,
          username: ALICE.username,
          password: ALICE.password,
        }),
      });
      expect(res.status).toBe(303);
      const code = new URL(res.headers.get('location')!).searchParams.get('code');
      expect(code).toEqual(expect.any(String));
      return { code: code!, verifier };
    }

    const redeem = (fields: Record<string, string>, headers: Record<string, string> = webOpaque) =>
      postForm(
        base(),
        '/token',
        new URLSearchParams({ grant_type: 'authorization_code', ...fields }).toString(),
        headers,
      );

    it.each([
      ['no code', {}, 'invalid_request'],
      ['a garbage code', { code: 'garbage' }, 'invalid_grant'],
      ['a code with %00', { code: 'ac_\u0000' }, 'invalid_grant'],
      ['a code in non-UTF-8', { code: '\uFFFD\uFFFD' }, 'invalid_grant'],
      ['a 5 000-character code', { code: 'c'.repeat(5000) }, 'invalid_request'],
      [
        'a 10 000-character redirect_uri',
        { code: 'garbage', redirect_uri: `${REDIRECT_URI}/${'a'.repeat(10_000)}` },
        'invalid_request',
      ],
      [
        'a 200-character code_verifier',
        { code: 'garbage', code_verifier: 'v'.repeat(200) },
        'invalid_grant',
      ],
    ])('%s', async (_, fields, error) => {
      await writesNothing(async () => {
        expectJsonError(await redeem(fields), 400, error);
      });
    });

    it('a repeated code is invalid_request, not a redemption', async () => {
      const { code, verifier } = await freshCode();
      await writesNothing(async () => {
        const body = `grant_type=authorization_code&code=${code}&code=${code}&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&code_verifier=${verifier}`;
        expectJsonError(await postForm(base(), '/token', body, webOpaque), 400, 'invalid_request', {
          description: 'parameter code must not be repeated',
        });
      });
      // The code was not spent: it still redeems.
      expect(
        (await redeem({ code, redirect_uri: REDIRECT_URI, code_verifier: verifier })).status,
      ).toBe(200);
    });

    it.each([
      [
        'a wrong code_verifier',
        (c: string) => ({
          code: c,
          redirect_uri: REDIRECT_URI,
          code_verifier: randomPKCECodeVerifier(),
        }),
      ],
      ['no code_verifier', (c: string) => ({ code: c, redirect_uri: REDIRECT_URI })],
      [
        'another redirect_uri',
        (c: string) => ({
          code: c,
          redirect_uri: 'https://rp.example.test/other',
          code_verifier: 'x'.repeat(43),
        }),
      ],
    ])(
      'a real code with %s is invalid_grant, and spends the code (issue #13, defect 3)',
      async (_, fields) => {
        const { code, verifier } = await freshCode();
        const before = await provider().settledEventCount();
        expectJsonError(await redeem(fields(code)), 400, 'invalid_grant');
        // One event: the grant's revocation (code_misuse). The right request now fails too.
        expect((await provider().settledEventCount()) - before).toBe(1);
        const right = { code, redirect_uri: REDIRECT_URI, code_verifier: verifier };
        expectJsonError(await redeem(right), 400, 'invalid_grant', {
          description: 'authorization code has been revoked',
        });
      },
    );

    it("another client's code is invalid_grant, and spends the code", async () => {
      const { code, verifier } = await freshCode();
      const before = await provider().settledEventCount();
      const res = await postForm(
        base(),
        '/token',
        new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: REDIRECT_URI,
          code_verifier: verifier,
          client_id: 'spa',
        }).toString(),
      );
      expectJsonError(res, 400, 'invalid_grant', { description: 'authorization code is invalid' });
      expect((await provider().settledEventCount()) - before).toBe(1);
      expectJsonError(
        await redeem({ code, redirect_uri: REDIRECT_URI, code_verifier: verifier }),
        400,
        'invalid_grant',
        { description: 'authorization code has been revoked' },
      );
    });

    it.each([
      ['no refresh_token', 'grant_type=refresh_token', webOpaque, 'invalid_request'],
      [
        'a garbage refresh_token',
        'grant_type=refresh_token&refresh_token=garbage',
        webOpaque,
        'invalid_grant',
      ],
      [
        'a refresh_token with %00',
        'grant_type=refresh_token&refresh_token=rt_%00',
        webOpaque,
        'invalid_grant',
      ],
      [
        'a repeated refresh_token',
        'grant_type=refresh_token&refresh_token=a&refresh_token=b',
        webOpaque,
        'invalid_request',
      ],
      [
        'a public client without the grant',
        'grant_type=refresh_token&refresh_token=x&client_id=spa',
        {},
        'unauthorized_client',
      ],
    ])('refresh with %s', async (_, body, headers, error) => {
      await writesNothing(async () => {
        expectJsonError(await postForm(base(), '/token', body, headers), 400, error);
      });
    });
  });
});

function unsignedJwt(payload: Record<string, unknown>): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ ...payload, aud: 'x', exp: 4_000_000_000, jti: 'j' })}.`;
}
