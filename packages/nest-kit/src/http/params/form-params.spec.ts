import { formParams, isForm } from './form-params';

const request = (body: unknown, type = 'application/x-www-form-urlencoded') => ({
  headers: { 'content-type': type },
  body,
});

describe('formParams', () => {
  it('recognises the form media type case-insensitively, with parameters', () => {
    expect(isForm(request({}, 'Application/X-WWW-Form-Urlencoded; charset=utf-8'))).toBe(true);
    expect(isForm(request({}, 'application/json'))).toBe(false);
    expect(isForm({ headers: {} })).toBe(false);
  });

  it('gives long parameters their own limit and the usual rules', () => {
    const long = { client_assertion: 8192 };
    const jwt = 'j'.repeat(8192);
    expect(formParams(request({ client_assertion: jwt, a: '1' }), long)).toEqual({
      client_assertion: jwt,
      a: '1',
    });
    expect(() => formParams(request({ client_assertion: `${jwt}j` }), long)).toThrow(
      'parameter client_assertion must not exceed 8192 characters',
    );
    expect(() => formParams(request({ client_assertion: ['a', 'b'] }), long)).toThrow(
      'parameter client_assertion must not be repeated',
    );
    expect(formParams(request({ client_assertion: ['', 'a'] }), long)).toEqual({
      client_assertion: 'a',
    });
    expect(() => formParams(request({ a: 'x'.repeat(2049) }), long)).toThrow(
      'parameter a must not exceed 2048 characters',
    );
  });

  it('keeps every value of RFC 8707 resource, as parseParams does', () => {
    expect(formParams(request({ resource: ['https://a.example', 'https://b.example'] }))).toEqual({
      resource: 'https://a.example https://b.example',
    });
    expect(() => formParams(request({ resource: 'https://a.example b' }))).toThrow(
      'parameter resource must not contain a space',
    );
  });

  it('never lets its errors be redirected', () => {
    try {
      formParams(request({}, 'text/plain'));
      throw new Error('expected a failure');
    } catch (err) {
      expect(err).toMatchObject({ error: 'invalid_request', allowRedirect: false });
    }
  });
});
