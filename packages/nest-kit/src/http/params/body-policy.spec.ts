import type { OAuthError } from '@idp/oauth-errors';
import { checkFormRequest, checkQuery, decodeFormBody, FORM_BODY_LIMIT } from './body-policy';
import { parseParams } from './parse-params';

const FORM = 'application/x-www-form-urlencoded';

function refusal(run: () => unknown): { status: number; description: string | undefined } | 'ok' {
  try {
    run();
    return 'ok';
  } catch (e) {
    const err = e as OAuthError;
    expect(err.error).toBe('invalid_request');
    expect(err.allowRedirect).toBe(false);
    return { status: err.status, description: err.description };
  }
}

const check = (headers: Record<string, string>, url = '/token', policy = {}) =>
  refusal(() => checkFormRequest(url, headers, policy));

/** The body policy of every form endpoint (issue #13, section 4 and defects 8-11). */
describe('checkFormRequest', () => {
  it.each([
    [FORM],
    ['Application/X-WWW-Form-Urlencoded'],
    [`${FORM}; charset=utf-8`],
    [`${FORM};charset=UTF-8`],
    [`${FORM}; charset="utf-8"`],
    [`${FORM}; foo=bar`],
  ])('accepts %s', (type) => {
    expect(check({ 'content-type': type, 'content-length': '10' })).toBe('ok');
  });

  it.each([
    [`${FORM}; charset=utf-16`],
    [`${FORM}; charset=iso-8859-1`],
    [`${FORM}; CHARSET=latin1`],
  ])('refuses a form in another charset with 400: %s', (type) => {
    expect(check({ 'content-type': type })).toEqual({
      status: 400,
      description: 'the form must be encoded in UTF-8 (charset=utf-8, or no charset)',
    });
  });

  it.each([
    ['application/json'],
    ['text/plain'],
    ['multipart/form-data; boundary=x'],
    ['application/x-weird'],
    [`${FORM}x`],
  ])('refuses every other media type with 415: %s', (type) => {
    expect(check({ 'content-type': type })).toMatchObject({ status: 415 });
  });

  it('a body without a content type is 415; no body at all is 400, unless the body is optional', () => {
    expect(check({ 'content-length': '5' })).toMatchObject({ status: 415 });
    expect(check({ 'transfer-encoding': 'chunked' })).toMatchObject({ status: 415 });
    expect(check({})).toEqual({
      status: 400,
      description: 'the request body must be application/x-www-form-urlencoded',
    });
    expect(check({}, '/userinfo', { bodyOptional: true })).toBe('ok');
  });

  it('refuses a declared size over the limit with 413 before reading', () => {
    const over = String(FORM_BODY_LIMIT + 1);
    expect(check({ 'content-type': FORM, 'content-length': over })).toEqual({
      status: 413,
      description: 'request body too large',
    });
    expect(check({ 'content-type': FORM, 'content-length': '11' }, '/x', { limit: 10 })).toEqual({
      status: 413,
      description: 'request body too large',
    });
  });

  it('refuses query parameters where the policy says so (RFC 6749 3.2)', () => {
    const headers = { 'content-type': FORM };
    const policy = { refuseQuery: true };
    expect(check(headers, '/token?grant_type=client_credentials', policy)).toEqual({
      status: 400,
      description: 'parameters must be sent in the request body, not in the query string',
    });
    expect(check(headers, '/token?', policy)).toBe('ok');
    expect(check(headers, '/token', policy)).toBe('ok');
    expect(check(headers, '/authorize?client_id=x')).toBe('ok');
  });
});

describe('checkQuery', () => {
  it.each([['state=%C0%AF'], ['a=%FF'], ['a=%E2%82'], ['%C0%AF=x']])(
    'refuses a query that is not percent-encoded UTF-8: %s',
    (query) => {
      expect(refusal(() => checkQuery(`/authorize?${query}`))).toEqual({
        status: 400,
        description: 'the query string is not valid percent-encoded UTF-8',
      });
    },
  );

  it.each([['state=%E2%82%AC'], ['a=%zz&b=%'], ['a=x+y'], ['s=caf%C3%A9']])('accepts %s', (q) => {
    expect(refusal(() => checkQuery(`/authorize?${q}`))).toBe('ok');
  });
});

describe('decodeFormBody', () => {
  it('decodes as browsers encode, without a prototype to pollute', () => {
    const params = decodeFormBody(Buffer.from('a=x+y%21&__proto__=p&%E2%82%AC=%E2%82%AC&a=2'));
    expect(Object.entries(params)).toEqual([
      ['a', ['x y!', '2']],
      ['__proto__', 'p'],
      ['€', '€'],
    ]);
    expect(Object.getPrototypeOf(Object.getPrototypeOf(params))).toBeNull();
  });

  it.each([
    ['an escape that is not UTF-8', 'state=%C0%AF', 'the form is not valid percent-encoded UTF-8'],
    ['a truncated sequence', 'a=%E2%82', 'the form is not valid percent-encoded UTF-8'],
    [
      'raw bytes that are not UTF-8',
      Buffer.from([0x61, 0x3d, 0xff]),
      'the form is not valid UTF-8',
    ],
  ])('refuses %s with 400', (_, body, description) => {
    expect(
      refusal(() => decodeFormBody(typeof body === 'string' ? Buffer.from(body) : body)),
    ).toEqual({ status: 400, description });
  });
});

describe('parameter names (RFC 6749 appendix A)', () => {
  it.each([['scope[a]'], ['__proto__[admin]'], ['a b'], ['naïve'], ['x"y']])(
    'refuses %s like a repeated parameter',
    (name) => {
      expect(refusal(() => parseParams({ [name]: 'v', client_id: 'c' }))).toEqual({
        status: 400,
        description:
          'a parameter name may only contain letters, digits, hyphens, periods and underscores',
      });
    },
  );

  it('accepts the names the specifications use', () => {
    const names = ['client_id', 'code_challenge_method', 'ui_locales', 'x-y.z', '__proto__'];
    expect(Object.keys(parseParams(Object.fromEntries(names.map((n) => [n, 'v']))))).toEqual(names);
  });
});
