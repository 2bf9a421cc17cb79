import { OAuthError } from '@idp/oauth-errors';
import {
  MAX_LONG_PARAM_LENGTH,
  MAX_PARAM_LENGTH,
  parseParams,
  type RawParams,
} from './parse-params';

function failure(raw: RawParams): OAuthError {
  try {
    parseParams(raw);
  } catch (err) {
    if (err instanceof OAuthError) return err;
    throw err;
  }
  throw new Error('expected parseParams to throw');
}

describe('parseParams', () => {
  it('keeps single values and unwraps one-element arrays', () => {
    expect({ ...parseParams({ client_id: 'c1', scope: ['openid profile'] }) }).toEqual({
      client_id: 'c1',
      scope: 'openid profile',
    });
  });

  it('treats empty values as absent (RFC 6749 3.1)', () => {
    const params = parseParams({ state: '', nonce: [], prompt: undefined, scope: ['', 'openid'] });
    expect({ ...params }).toEqual({ scope: 'openid' });
    expect(params['state']).toBeUndefined();
  });

  it.each([
    [{ scope: ['openid', 'profile'] }, 'scope'],
    [{ redirect_uri: ['https://a.example/cb', 'https://a.example/cb'] }, 'redirect_uri'],
    [{ state: ['x', 'y', 'z'] }, 'state'],
  ])('refuses a repeated parameter %j, never redirected', (raw, name) => {
    const err = failure(raw);
    expect(err.toJSON()).toEqual({
      error: 'invalid_request',
      error_description: `parameter ${name} must not be repeated`,
    });
    expect(err.allowRedirect).toBe(false);
  });

  it('keeps every value of RFC 8707 resource, joined with spaces', () => {
    const params = parseParams({ resource: ['https://a.example', '', 'https://b.example/x?y=1'] });
    expect(params['resource']).toBe('https://a.example https://b.example/x?y=1');
    expect(parseParams({ resource: 'https://a.example' })['resource']).toBe('https://a.example');
    expect(parseParams({ resource: ['', ''] })['resource']).toBeUndefined();
  });

  it.each([
    [{ resource: 'https://a.example/x https://b.example' }],
    [{ resource: ['https://a.example', 'https://b.example c'] }],
  ])('refuses a resource value with a space (it would split in two): %j', (raw) => {
    const err = failure(raw);
    expect(err.toJSON()).toEqual({
      error: 'invalid_target',
      error_description: 'parameter resource must not contain a space',
    });
    expect(err.allowRedirect).toBe(false);
  });

  it('keeps the length limit and the string rule for each resource value', () => {
    const long = `https://a.example/${'a'.repeat(MAX_PARAM_LENGTH)}`;
    expect(failure({ resource: ['https://a.example', long] }).toJSON()).toMatchObject({
      error: 'invalid_request',
    });
    expect(
      failure({ resource: ['https://a.example', 1] } as unknown as RawParams).toJSON(),
    ).toEqual({
      error: 'invalid_request',
      error_description: 'parameter resource must be a string',
    });
  });

  it(`accepts ${MAX_PARAM_LENGTH} characters and refuses one more`, () => {
    expect(parseParams({ state: 'a'.repeat(MAX_PARAM_LENGTH) })['state']).toHaveLength(2048);
    const err = failure({ state: 'a'.repeat(MAX_PARAM_LENGTH + 1) });
    expect(err.toJSON()).toEqual({
      error: 'invalid_request',
      error_description: 'parameter state must not exceed 2048 characters',
    });
    expect(err.allowRedirect).toBe(false);
  });

  it.each(['id_token_hint', 'request', 'login_hint_token', 'claims'])(
    'allows %s up to 8192 characters',
    (name) => {
      expect(parseParams({ [name]: 'a'.repeat(MAX_LONG_PARAM_LENGTH) })[name]).toHaveLength(8192);
      expect(failure({ [name]: 'a'.repeat(MAX_LONG_PARAM_LENGTH + 1) }).toJSON()).toEqual({
        error: 'invalid_request',
        error_description: `parameter ${name} must not exceed 8192 characters`,
      });
    },
  );

  it('refuses values that are not strings (a JSON body)', () => {
    const err = failure({ max_age: 5 } as unknown as RawParams);
    expect(err.error).toBe('invalid_request');
    expect(err.description).toBe('parameter max_age must be a string');
  });

  it('treats __proto__ as an ordinary name', () => {
    const raw = JSON.parse('{"__proto__":"x","client_id":"c1"}') as RawParams;
    const params = parseParams(raw);
    expect(params['__proto__']).toBe('x');
    expect(params['client_id']).toBe('c1');
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });
});
