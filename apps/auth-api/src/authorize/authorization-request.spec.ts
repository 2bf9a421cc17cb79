import { clientMetadata, type ClientMetadata } from '@idp/contracts';
import { AuthorizationError } from './authorization-error';
import { validateAuthorizationRequest } from './authorization-request';
import { parseParams } from '@idp/nest-kit';
import { RESPONSE_TYPES, type ResponseType } from './types';

const options = {
  allowPlainPkce: false,
  supportedScopes: ['openid', 'profile', 'email', 'offline_access', 'api.read'],
};

function client(overrides: Partial<ClientMetadata> = {}): ClientMetadata {
  return clientMetadata.parse({
    client_id: 'app',
    redirect_uris: ['https://app.example/cb'],
    response_types: [...RESPONSE_TYPES],
    ...overrides,
  });
}

const base = {
  client_id: 'app',
  redirect_uri: 'https://app.example/cb',
  response_type: 'code',
  scope: 'openid',
  state: 'st',
};

function validate(params: Record<string, string>, c: ClientMetadata = client()) {
  return validateAuthorizationRequest(parseParams(params), c, options);
}

/** Asserts the exact error and that it goes back to the client, and how. */
function expectRedirected(
  params: Record<string, string>,
  error: string,
  description: string,
  responseMode = 'query',
  c: ClientMetadata = client(),
): void {
  let caught: unknown;
  try {
    validate(params, c);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(AuthorizationError);
  const e = caught as AuthorizationError;
  expect(e.toJSON()).toEqual({ error, error_description: description });
  expect(e.allowRedirect).toBe(true);
  expect(e.redirect).toEqual({ redirectUri: 'https://app.example/cb', responseMode, state: 'st' });
}

const withNonce = (t: ResponseType) => ({ ...base, response_type: t, nonce: 'n-0S6' });

describe('validateAuthorizationRequest', () => {
  it('returns a typed request for the code flow', () => {
    expect(
      validate({
        ...base,
        scope: 'openid profile',
        nonce: 'n1',
        prompt: 'login consent',
        max_age: '300',
        login_hint: 'alice',
        ui_locales: 'fr-CA en',
        acr_values: 'urn:mace:incommon:iap:silver',
        claims: '{"userinfo":{"email":null}}',
        display: 'page',
      }),
    ).toEqual({
      client_id: 'app',
      redirect_uri: 'https://app.example/cb',
      redirect_uri_supplied: true,
      response_type: 'code',
      response_mode: 'query',
      scope: ['openid', 'profile'],
      ignored_scopes: [],
      state: 'st',
      nonce: 'n1',
      prompt: ['login', 'consent'],
      max_age: 300,
      login_hint: 'alice',
      ui_locales: ['fr-CA', 'en'],
      acr_values: ['urn:mace:incommon:iap:silver'],
      claims: { userinfo: { email: null } },
    });
  });

  describe('scope', () => {
    it('drops unknown scopes and reports them (OIDC Core 5.4)', () => {
      const r = validate({ ...base, scope: 'openid unknown profile openid admin' });
      expect(r.scope).toEqual(['openid', 'profile']);
      expect(r.ignored_scopes).toEqual(['unknown', 'admin']);
    });

    it("drops scopes outside the client's registered scope (RFC 7591 2)", () => {
      const r = validate(
        { ...base, scope: 'openid email api.read' },
        client({ scope: 'openid email' }),
      );
      expect(r.scope).toEqual(['openid', 'email']);
      expect(r.ignored_scopes).toEqual(['api.read']);
    });

    it('allows a plain OAuth code request without openid', () => {
      expect(validate({ ...base, scope: 'api.read' }).scope).toEqual(['api.read']);
    });

    it.each(['id_token', 'id_token token', 'code id_token', 'code id_token token'] as const)(
      'requires openid for %s',
      (type) => {
        expectRedirected(
          { ...withNonce(type), scope: 'profile' },
          'invalid_request',
          'the openid scope is required when an id_token is requested',
          'fragment',
        );
      },
    );

    it('is invalid_scope when nothing is left (RFC 6749 3.3)', () => {
      expectRedirected(
        { ...base, scope: 'admin root' },
        'invalid_scope',
        'no requested scope is allowed',
      );
      const { scope: _, ...rest } = base;
      expectRedirected(rest, 'invalid_scope', 'missing required parameter scope');
    });
  });

  describe('nonce (OIDC Core 3.2.2.1, 3.3.2.11)', () => {
    it.each(RESPONSE_TYPES.filter((t) => t !== 'code'))('is required for %s', (type) => {
      expectRedirected(
        { ...base, response_type: type },
        'invalid_request',
        'nonce is required for the implicit and hybrid flows',
        'fragment',
      );
    });

    it('is optional for code', () => {
      expect(validate(base).nonce).toBeUndefined();
    });
  });

  describe('prompt', () => {
    it('keeps unique known values', () => {
      expect(validate({ ...base, prompt: 'consent login consent' }).prompt).toEqual([
        'consent',
        'login',
      ]);
      expect(validate({ ...base, prompt: 'none' }).prompt).toEqual(['none']);
      expect(validate({ ...base, prompt: 'select_account' }).prompt).toEqual(['select_account']);
      expect(validate(base).prompt).toEqual([]);
    });

    it.each(['none login', 'consent none', 'none select_account'])(
      'refuses none combined with another value: %j',
      (prompt) => {
        expectRedirected(
          { ...base, prompt },
          'invalid_request',
          'prompt none must not be combined with other values',
        );
      },
    );

    it('refuses an unknown value', () => {
      expectRedirected(
        { ...base, prompt: 'create' },
        'invalid_request',
        'unsupported prompt value',
      );
    });
  });

  describe('max_age', () => {
    it('accepts zero', () => {
      expect(validate({ ...base, max_age: '0' }).max_age).toBe(0);
    });

    it.each(['-1', '1.5', 'abc', '1e3', ' 5', '0x10', '99999999999999999999'])(
      'refuses %j',
      (max_age) => {
        expectRedirected(
          { ...base, max_age },
          'invalid_request',
          'max_age must be a non-negative integer',
        );
      },
    );
  });

  describe('state (RFC 6749 A.5: 1*VSCHAR)', () => {
    it('keeps printable ASCII, spaces and punctuation included', () => {
      const state = 'a b~!{"}|\\';
      expect(validate({ ...base, state }).state).toBe(state);
    });

    it.each([
      ['a newline', 'st\nx'],
      ['a NUL', 'st\u0000'],
      ['a tab', 'st\tx'],
      ['non-ASCII', 'état'],
    ])('refuses %s on our page, never redirecting with a state it cannot echo', (_, state) => {
      let caught: unknown;
      try {
        validate({ ...base, state });
      } catch (err) {
        caught = err;
      }
      expect(caught).not.toBeInstanceOf(AuthorizationError);
      const e = caught as AuthorizationError;
      expect(e.allowRedirect).toBe(false);
      expect(e.toJSON()).toEqual({
        error: 'invalid_request',
        error_description: 'state must contain printable ASCII characters only',
      });
    });
  });
});

describe('validateAuthorizationRequest: resource (RFC 8707 2.1)', () => {
  const A = 'https://a.example';
  const B = 'https://b.example/api';
  const withResources = client({ resources: [A, B] });
  const repeated = (values: string[]) =>
    validateAuthorizationRequest(
      parseParams({ ...base, resource: values }),
      withResources,
      options,
    );

  it('keeps repeated resources the client registered, in order, once each', () => {
    expect(repeated([B, A, B]).resource).toEqual([B, A]);
    expect(validate(base, withResources)).not.toHaveProperty('resource');
  });

  it.each([
    [
      'not registered for the client',
      'https://elsewhere.example',
      'the requested resource is not registered for this client',
    ],
    ['relative', 'api', 'resource must be an absolute URI'],
    ['with a fragment', `${A}#x`, 'resource must not contain a fragment'],
  ])(
    'sends invalid_target to the redirect_uri for a resource %s',
    (_label, resource, description) => {
      expectRedirected(
        { ...base, resource },
        'invalid_target',
        description,
        'query',
        withResources,
      );
    },
  );

  it('refuses a client without resources any resource', () => {
    expectRedirected(
      { ...base, resource: A },
      'invalid_target',
      'the requested resource is not registered for this client',
    );
  });

  it('refuses more resources than a client may register with invalid_request, redirected', () => {
    const eleven = Array.from({ length: 11 }, (_, i) => `${A}/${i}`);
    let caught: unknown;
    try {
      validateAuthorizationRequest(
        parseParams({ ...base, resource: eleven }),
        client({ resources: eleven.slice(0, 10) }),
        options,
      );
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AuthorizationError);
    expect((caught as AuthorizationError).toJSON()).toEqual({
      error: 'invalid_request',
      error_description: 'resource may be given at most 10 times',
    });
  });
});

describe('validateAuthorizationRequest: claims (OIDC Core 5.5)', () => {
  const claims = (value: unknown) => ({ ...base, claims: JSON.stringify(value) });

  it('keeps a claims request, beyond the requested scopes', () => {
    const r = validate(
      claims({ id_token: { email: { essential: true } }, userinfo: { name: null } }),
    );
    expect(r.scope).toEqual(['openid']);
    expect(r.claims).toEqual({
      id_token: { email: { essential: true } },
      userinfo: { name: null },
    });
  });

  it("keeps only claims of the client's registered scopes when it registered some", () => {
    const r = validate(
      claims({
        userinfo: { email: null, name: null, phone_number: null },
        id_token: { acr: null },
      }),
      client({ scope: 'openid email' }),
    );
    expect(r.claims).toEqual({ userinfo: { email: null }, id_token: { acr: null } });
  });

  it('stores nothing when nothing the client may ask for is left', () => {
    const r = validate(claims({ userinfo: { address: null } }), client({ scope: 'openid email' }));
    expect(r).not.toHaveProperty('claims');
  });

  it('ignores a well-formed claims request without openid, refuses a malformed one', () => {
    expect(
      validate({ ...claims({ userinfo: { email: null } }), scope: 'email' }),
    ).not.toHaveProperty('claims');
    expectRedirected(
      { ...base, scope: 'email', claims: '[]' },
      'invalid_request',
      'claims must be a JSON object',
    );
  });

  it('sends a malformed claims request back to the client as invalid_request', () => {
    expectRedirected(
      { ...base, claims: 'email' },
      'invalid_request',
      'claims must be a JSON object',
    );
    expectRedirected(
      { ...base, response_type: 'code id_token', nonce: 'n', claims: '{"id_token":[]}' },
      'invalid_request',
      'claims.id_token must be a JSON object',
      'fragment',
    );
  });

  it('refuses a repeated claims parameter', () => {
    expect(() => parseParams({ ...base, claims: ['{}', '{}'] })).toThrow(
      'parameter claims must not be repeated',
    );
  });

  it('is access_denied at once for an essential acr we can never assert (5.5.1.1)', () => {
    expectRedirected(
      claims({ id_token: { acr: { essential: true, values: ['urn:mace:incommon:iap:gold'] } } }),
      'access_denied',
      'the essential authentication context class (acr) cannot be met',
    );
  });

  it('accepts an essential acr we assert, and any acr that is not essential', () => {
    const met = { id_token: { acr: { essential: true, values: ['urn:x', 'urn:idp:acr:pwd'] } } };
    expect(validate(claims(met)).claims).toEqual(met);
    const voluntary = { id_token: { acr: { value: 'urn:mace:incommon:iap:gold' } } };
    expect(validate(claims(voluntary)).claims).toEqual(voluntary);
  });
});
