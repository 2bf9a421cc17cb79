import { OAuthError } from '@idp/oauth-errors';
import { MAX_CLAIMS_PARAMETER_LENGTH, parseClaimsParameter } from './claims-parameter';

function refusal(raw: string): string {
  let caught: unknown;
  try {
    parseClaimsParameter(raw);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(OAuthError);
  const e = caught as OAuthError;
  expect(e.error).toBe('invalid_request');
  return e.description ?? '';
}

describe('parseClaimsParameter (OIDC Core 5.5)', () => {
  it('is undefined when absent', () => {
    expect(parseClaimsParameter(undefined)).toBeUndefined();
  });

  it('keeps null, essential, value and values forms of both members', () => {
    const raw = JSON.stringify({
      userinfo: { email: null, given_name: { essential: true }, phone_number: {} },
      id_token: {
        acr: { essential: true, values: ['urn:idp:acr:pwd', 'urn:other'] },
        email_verified: { value: true },
        locale: { value: 'fr', essential: false },
      },
    });
    expect(parseClaimsParameter(raw)).toEqual({
      userinfo: { email: null, given_name: { essential: true }, phone_number: {} },
      id_token: {
        acr: { essential: true, values: ['urn:idp:acr:pwd', 'urn:other'] },
        email_verified: { value: true },
        locale: { value: 'fr', essential: false },
      },
    });
  });

  it('ignores unknown members at every level, and claims we never release', () => {
    const raw = JSON.stringify({
      userinfo: { email: { essential: true, purpose: 'to write to you' }, roles: null },
      id_token: { 'https://example.com/custom': null, tenant: { essential: true } },
      verified_claims: { anything: true },
      extra: 1,
    });
    expect(parseClaimsParameter(raw)).toEqual({ userinfo: { email: { essential: true } } });
  });

  it('is undefined when nothing we can act on is left', () => {
    expect(parseClaimsParameter('{}')).toBeUndefined();
    expect(parseClaimsParameter('{"userinfo":{},"id_token":{"roles":null}}')).toBeUndefined();
    expect(parseClaimsParameter('{"unknown":{"email":null}}')).toBeUndefined();
  });

  it('does not let __proto__ reach the result', () => {
    const parsed = parseClaimsParameter(
      '{"userinfo":{"__proto__":{"essential":true},"name":null}}',
    );
    expect(parsed).toEqual({ userinfo: { name: null } });
    expect(Object.getPrototypeOf(parsed?.userinfo)).toBe(Object.prototype);
  });

  it.each([
    ['not JSON', '{userinfo:', 'claims must be a JSON object'],
    ['an array', '[{"userinfo":{}}]', 'claims must be a JSON object'],
    ['a string', '"userinfo"', 'claims must be a JSON object'],
    ['null', 'null', 'claims must be a JSON object'],
    [
      'a member that is an array',
      '{"userinfo":["email"]}',
      'claims.userinfo must be a JSON object',
    ],
    ['a member that is null', '{"id_token":null}', 'claims.id_token must be a JSON object'],
    [
      'a claim that is true',
      '{"userinfo":{"email":true}}',
      'claims.userinfo.email must be null or a JSON object',
    ],
    [
      'essential as a string',
      '{"userinfo":{"email":{"essential":"yes"}}}',
      'claims.userinfo.email.essential must be a boolean',
    ],
    [
      'an object value',
      '{"id_token":{"acr":{"value":{"a":1}}}}',
      'claims.id_token.acr.value must be a string, number or boolean',
    ],
    [
      'values not an array',
      '{"id_token":{"acr":{"values":"urn:idp:acr:pwd"}}}',
      'claims.id_token.acr.values must be an array of 1 to 10 strings, numbers or booleans',
    ],
    [
      'empty values',
      '{"id_token":{"acr":{"values":[]}}}',
      'claims.id_token.acr.values must be an array of 1 to 10 strings, numbers or booleans',
    ],
    [
      'values holding null',
      '{"id_token":{"acr":{"values":[null]}}}',
      'claims.id_token.acr.values must be an array of 1 to 10 strings, numbers or booleans',
    ],
    [
      'both value and values',
      '{"id_token":{"acr":{"value":"a","values":["b"]}}}',
      'claims.id_token.acr has both value and values',
    ],
  ])('refuses %s', (_name, raw, description) => {
    expect(refusal(raw)).toBe(description);
  });

  it('checks the form of claims it then ignores (a malformed request is not half-read)', () => {
    expect(refusal('{"userinfo":{"roles":{"essential":1}}}')).toBe(
      'claims.userinfo.roles.essential must be a boolean',
    );
  });

  it('refuses more than 10 values, and too many claims in a member', () => {
    const eleven = Array.from({ length: 11 }, (_, i) => `v${i}`);
    expect(refusal(JSON.stringify({ id_token: { acr: { values: eleven } } }))).toMatch(/values/);
    const many = Object.fromEntries(Array.from({ length: 41 }, (_, i) => [`c${i}`, null]));
    expect(refusal(JSON.stringify({ userinfo: many }))).toBe(
      'claims.userinfo names too many claims',
    );
  });

  it('refuses a parameter longer than the bound, and accepts one at it', () => {
    const padded = (n: number) => `{"userinfo":{"email":null}${' '.repeat(n - 27)}}`;
    expect(padded(MAX_CLAIMS_PARAMETER_LENGTH)).toHaveLength(MAX_CLAIMS_PARAMETER_LENGTH);
    expect(parseClaimsParameter(padded(MAX_CLAIMS_PARAMETER_LENGTH))).toEqual({
      userinfo: { email: null },
    });
    expect(refusal(padded(MAX_CLAIMS_PARAMETER_LENGTH + 1))).toBe(
      `claims must be at most ${MAX_CLAIMS_PARAMETER_LENGTH} characters`,
    );
  });
});
