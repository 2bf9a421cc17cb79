import {
  badInputProvider,
  BATCH_JOB,
  basic,
  expectJsonError,
  FORM,
  ONE_MB,
  postForm,
  rawRequest,
  send,
  sendRaw,
} from './bad-input.support';

const UNSUPPORTED =
  'unsupported content type: the request body must be application/x-www-form-urlencoded';
/** RFC 6750 3.1, RFC 9449 7.1: no credentials → both schemes offered, no error code. */
const BARE = /^Bearer realm="idp", DPoP algs="[^"]+"$/;
const challenge = (error: string) =>
  new RegExp(`^Bearer realm="idp", error="${error}"(, error_description="[^"]*")?$`);
const INVALID_REQUEST = challenge('invalid_request');
const INVALID_TOKEN = challenge('invalid_token');

/**
 * The UserInfo endpoint as an RFC 6750 protected resource: every error
 * carries a Bearer challenge (3), a request without credentials gets one
 * without an error code (3.1), malformed requests are 400 invalid_request,
 * tokens that are not ours 401 invalid_token; always no-store.
 */
describe('bad input: /userinfo', () => {
  const { provider, writesNothing } = badInputProvider();
  const base = () => provider().base;
  let jwtAccessToken = '';

  beforeAll(async () => {
    // A real access token of ours that userinfo must still refuse (client_credentials: no user).
    const res = await postForm(base(), '/token', 'grant_type=client_credentials', {
      authorization: basic(BATCH_JOB.id, BATCH_JOB.secret),
    });
    jwtAccessToken = (JSON.parse(res.text) as { access_token: string }).access_token;
  });

  it.each([
    ['no Authorization header', {}, 401, BARE],
    ['an empty Authorization header', { authorization: '' }, 401, BARE],
    ['another scheme (Basic)', { authorization: basic('a', 'b') }, 401, BARE],
    ['an unknown scheme', { authorization: 'Token abc' }, 401, BARE],
    ['Bearer without a token', { authorization: 'Bearer' }, 400, INVALID_REQUEST],
    ['Bearer with spaces only', { authorization: 'Bearer    ' }, 400, INVALID_REQUEST],
    ['Bearer with two tokens', { authorization: 'Bearer a b' }, 400, INVALID_REQUEST],
    ['Bearer with a quote', { authorization: 'Bearer a"b' }, 400, INVALID_REQUEST],
    ['Bearer with a comma', { authorization: 'Bearer a,b' }, 400, INVALID_REQUEST],
    ['Bearer with non-ASCII', { authorization: 'Bearer \u00e9t\u00e9' }, 400, INVALID_REQUEST],
    ['an unknown opaque token', { authorization: 'Bearer at_unknown' }, 401, INVALID_TOKEN],
    ['a token of garbage', { authorization: 'Bearer abc' }, 401, INVALID_TOKEN],
    [
      'a JWT that is not ours',
      { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' },
      401,
      INVALID_TOKEN,
    ],
    [
      'a 15 000-character token',
      { authorization: `Bearer ${'a'.repeat(15_000)}` },
      401,
      INVALID_TOKEN,
    ],
  ])('GET with %s', async (_, headers, status, expected) => {
    await writesNothing(async () => {
      const res = await send(base(), '/userinfo', { headers });
      const error =
        status === 400
          ? 'invalid_request'
          : expected === BARE
            ? 'invalid_request'
            : 'invalid_token';
      expectJsonError(res, status, error, { challenge: expected });
    });
  });

  it('a client_credentials access token (no user) is insufficient_scope: valid, but not for userinfo', async () => {
    await writesNothing(async () => {
      const res = await send(base(), '/userinfo', {
        headers: { authorization: `Bearer ${jwtAccessToken}` },
      });
      expectJsonError(res, 403, 'insufficient_scope', {
        challenge: /^Bearer realm="idp", error="insufficient_scope"/,
      });
    });
  });

  it.each([
    ['an access_token in the query', '?access_token=abc', {}],
    ['a repeated access_token in the query', '?access_token=abc&access_token=def', {}],
    [
      'an access_token in the query and the header',
      '?access_token=abc',
      { authorization: 'Bearer abc' },
    ],
  ])(
    'GET with %s is 400 invalid_request (the query method is refused)',
    async (_, query, headers) => {
      await writesNothing(async () => {
        const res = await send(base(), `/userinfo${query}`, { headers });
        expectJsonError(res, 400, 'invalid_request', {
          description: 'access_token in the query string is not accepted',
          challenge: INVALID_REQUEST,
        });
      });
    },
  );

  it.each([
    [
      'a repeated access_token',
      FORM,
      'access_token=a&access_token=b',
      {},
      400,
      INVALID_REQUEST,
      'parameter access_token must not be repeated',
    ],
    [
      'any repeated parameter',
      FORM,
      'access_token=a&x=1&x=2',
      {},
      400,
      INVALID_REQUEST,
      'parameter x must not be repeated',
    ],
    [
      'the token in the header and the body',
      FORM,
      'access_token=abc',
      { authorization: 'Bearer abc' },
      400,
      INVALID_REQUEST,
      'the access token must be sent by one method only',
    ],
    [
      'a 20 000-character access_token',
      FORM,
      `access_token=${'a'.repeat(20_000)}`,
      {},
      400,
      INVALID_REQUEST,
      'parameter access_token must not exceed 16384 characters',
    ],
    [
      'a 1 MB form',
      FORM,
      `access_token=abc&x=${'a'.repeat(ONE_MB)}`,
      {},
      413,
      INVALID_REQUEST,
      'request body too large',
    ],
    // One body policy (issue #13): every media type but a form is 415, before it is parsed.
    [
      'an unknown content type',
      'application/x-weird',
      'access_token=abc',
      {},
      415,
      INVALID_REQUEST,
      UNSUPPORTED,
    ],
    [
      'malformed JSON',
      'application/json',
      '{"access_token":',
      {},
      415,
      INVALID_REQUEST,
      UNSUPPORTED,
    ],
    [
      'a JSON body (not a form)',
      'application/json',
      JSON.stringify({ access_token: 'abc' }),
      {},
      415,
      INVALID_REQUEST,
      UNSUPPORTED,
    ],
    [
      'a form as text/plain',
      'text/plain',
      'access_token=abc',
      {},
      415,
      INVALID_REQUEST,
      UNSUPPORTED,
    ],
    ['an unknown access_token', FORM, 'access_token=abc', {}, 401, INVALID_TOKEN, undefined],
    ['an access_token with %00', FORM, 'access_token=abc%00', {}, 401, INVALID_TOKEN, undefined],
    [
      'an access_token in non-UTF-8',
      FORM,
      'access_token=%ff%fe',
      {},
      400,
      INVALID_REQUEST,
      'the form is not valid percent-encoded UTF-8',
    ],
  ])('POST with %s', async (_, type, body, headers, status, expected, description) => {
    await writesNothing(async () => {
      const res = await send(base(), '/userinfo', {
        method: 'POST',
        headers: { 'content-type': type, ...headers },
        body,
      });
      expectJsonError(res, status, status === 401 ? 'invalid_token' : 'invalid_request', {
        challenge: expected,
        ...(description === undefined ? {} : { description }),
      });
    });
  });

  it.each([['an empty form', FORM, '']])(
    'POST with %s has no credentials: 401 with a bare challenge',
    async (_, type, body) => {
      await writesNothing(async () => {
        const res = await send(base(), '/userinfo', {
          method: 'POST',
          headers: { 'content-type': type },
          body,
        });
        expectJsonError(res, 401, 'invalid_request', { challenge: BARE });
      });
    },
  );

  it('raw non-UTF-8 bytes in the Bearer token are 400 invalid_request', async () => {
    await writesNothing(async () => {
      const header = Buffer.concat([
        Buffer.from('Authorization: Bearer '),
        Buffer.from([0xff, 0xfe]),
      ]);
      const res = await sendRaw(base(), rawRequest('GET /userinfo HTTP/1.1', [header]));
      expectJsonError(res, 400, 'invalid_request', { challenge: INVALID_REQUEST });
    });
  });

  it('raw non-UTF-8 bytes in the form are 400 invalid_request', async () => {
    await writesNothing(async () => {
      const res = await postForm(
        base(),
        '/userinfo',
        Buffer.concat([Buffer.from('access_token='), Buffer.from([0xff, 0xfe, 0x00])]),
      );
      expectJsonError(res, 400, 'invalid_request', {
        challenge: INVALID_REQUEST,
        description: 'the form is not valid UTF-8',
      });
    });
  });

  it('a 1 MB Authorization header is refused with 431 before it is read', async () => {
    await writesNothing(async () => {
      const res = await sendRaw(
        base(),
        rawRequest('GET /userinfo HTTP/1.1', [`Authorization: Bearer ${'a'.repeat(ONE_MB)}`]),
      );
      expectJsonError(res, 431, 'invalid_request');
    });
  });

  it.each([['PUT'], ['DELETE'], ['PATCH']])('%s /userinfo is 405 with Allow', async (method) => {
    await writesNothing(async () => {
      const res = await send(base(), '/userinfo', { method });
      expectJsonError(res, 405, 'invalid_request', { description: 'method not allowed' });
      expect(res.headers.get('allow')).toBe('GET, HEAD, POST');
    });
  });
});
