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

describe('validateAuthorizationRequest: response_type and response_mode', () => {
  describe('response_type', () => {
    it('is required', () => {
      const { response_type: _, ...rest } = base;
      expectRedirected(rest, 'invalid_request', 'missing required parameter response_type');
    });

    it.each(['token', 'none', 'code code', 'code  token', 'device_code', 'CODE'])(
      'refuses %j as unsupported_response_type',
      (response_type) => {
        expectRedirected(
          { ...base, response_type },
          'unsupported_response_type',
          'unsupported response_type',
        );
      },
    );

    it.each([
      ['id_token code', 'code id_token'],
      ['token id_token', 'id_token token'],
      ['token id_token code', 'code id_token token'],
      ['token code', 'code token'],
    ])('normalises %j to %j', (given, normalised) => {
      expect(validate({ ...base, response_type: given, nonce: 'n' }).response_type).toBe(
        normalised,
      );
    });

    it('must be registered by the client: unauthorized_client (RFC 6749 4.1.2.1)', () => {
      const c = client({ response_types: ['code'] });
      expectRedirected(
        withNonce('code id_token'),
        'unauthorized_client',
        'the client is not registered for this response_type',
        'fragment',
        c,
      );
    });

    it('matches the client registration in any order', () => {
      const c = client({ response_types: ['id_token code'] });
      expect(validate(withNonce('code id_token'), c).response_type).toBe('code id_token');
    });
  });

  describe('response_mode', () => {
    it.each([
      ['code', 'query'],
      ['id_token', 'fragment'],
      ['id_token token', 'fragment'],
      ['code id_token', 'fragment'],
      ['code token', 'fragment'],
      ['code id_token token', 'fragment'],
    ] as const)('defaults %s to %s', (type, mode) => {
      expect(validate(withNonce(type)).response_mode).toBe(mode);
    });

    it.each(['fragment', 'form_post', 'query'])('allows %s for code', (mode) => {
      expect(validate({ ...base, response_mode: mode }).response_mode).toBe(mode);
    });

    it.each(RESPONSE_TYPES.filter((t) => t !== 'code'))(
      'refuses query for %s, answering in the fragment',
      (type) => {
        expectRedirected(
          { ...withNonce(type), response_mode: 'query' },
          'invalid_request',
          'response_mode query is not allowed when tokens are returned',
          'fragment',
        );
      },
    );

    it('allows form_post for a hybrid flow', () => {
      expect(
        validate({ ...withNonce('code id_token'), response_mode: 'form_post' }).response_mode,
      ).toBe('form_post');
    });

    it('refuses an unknown mode, answering in the default one', () => {
      expectRedirected(
        { ...withNonce('id_token'), response_mode: 'web_message' },
        'invalid_request',
        'unsupported response_mode',
        'fragment',
      );
    });

    it('answers other errors in the requested mode', () => {
      expectRedirected(
        { ...base, response_type: 'token', response_mode: 'form_post' },
        'unsupported_response_type',
        'unsupported response_type',
        'form_post',
      );
    });
  });

  it.each([
    // RequestObjectResolver replaces request objects before validation: what is left is refused.
    [
      'request',
      'eyJhbGciOiJub25lIn0.e30.',
      'invalid_request_object',
      'the request object was not resolved',
    ],
    [
      'request_uri',
      'urn:ietf:params:oauth:request_uri:abc',
      'request_uri_not_supported',
      'this request_uri was not resolved',
    ],
    [
      'registration',
      '{}',
      'registration_not_supported',
      'the registration parameter is not supported',
    ],
  ])('refuses %s with its OIDC Core 3.1.2.6 code', (name, value, error, description) => {
    expectRedirected({ ...base, [name]: value }, error, description);
  });
});
