import { clientMetadata, type ClientMetadata } from '@idp/contracts';
import { OAuthError } from '@idp/oauth-errors';
import { AuthorizationError } from './authorization-error';
import { validateAuthorizationRequest } from './authorization-request';
import { parseParams } from '@idp/nest-kit';

const options = { allowPlainPkce: false, supportedScopes: ['openid', 'profile', 'api.read'] };

function client(overrides: Partial<ClientMetadata> = {}): ClientMetadata {
  return clientMetadata.parse({
    client_id: 'app',
    redirect_uris: ['https://app.example/cb'],
    ...overrides,
  });
}

const valid = {
  client_id: 'app',
  redirect_uri: 'https://app.example/cb',
  response_type: 'code',
  scope: 'openid',
  state: 's1',
};

function caught(params: Record<string, string>, c: ClientMetadata | undefined): OAuthError {
  try {
    validateAuthorizationRequest(parseParams(params), c, options);
  } catch (err) {
    if (err instanceof OAuthError) return err;
    throw err;
  }
  throw new Error('expected validation to fail');
}

/** Errors from the client/redirect_uri checks go to our error page, never to a redirect. */
function expectPageError(err: OAuthError, code: string, description?: string): void {
  expect(err).not.toBeInstanceOf(AuthorizationError);
  expect(err.allowRedirect).toBe(false);
  expect(err.error).toBe(code);
  if (description !== undefined) expect(err.description).toBe(description);
}

describe('client_id and redirect_uri: checked first, never redirected', () => {
  it('requires client_id', () => {
    const { client_id: _, ...rest } = valid;
    expectPageError(
      caught(rest, client()),
      'invalid_request',
      'missing required parameter client_id',
    );
  });

  it('shows an unknown client on the error page', () => {
    expectPageError(caught(valid, undefined), 'invalid_client', 'unknown client_id');
    expect(caught(valid, undefined).status).toBe(400);
  });

  it('refuses a client record that is not the one asked for', () => {
    expectPageError(caught(valid, client({ client_id: 'other' })), 'invalid_client');
  });

  it('reports a bad redirect_uri before any other error, on the page', () => {
    const err = caught(
      { ...valid, redirect_uri: 'https://evil.example/cb', response_type: 'nope' },
      client(),
    );
    expectPageError(err, 'invalid_redirect_uri');
  });

  it.each([
    ['a trailing slash', 'https://app.example/cb/'],
    ['a different host case', 'https://APP.example/cb'],
    ['a different path case', 'https://app.example/CB'],
    ['an added query', 'https://app.example/cb?x=1'],
    ['an explicit default port', 'https://app.example:443/cb'],
    ['a fragment', 'https://app.example/cb#x'],
    ['another scheme', 'http://app.example/cb'],
    ['a prefix match', 'https://app.example/c'],
    ['a longer path', 'https://app.example/cb/more'],
  ])('rejects %s (exact string match only)', (_, redirect_uri) => {
    expectPageError(caught({ ...valid, redirect_uri }, client()), 'invalid_redirect_uri');
  });

  it('compares a registered query exactly too', () => {
    const c = client({ redirect_uris: ['https://app.example/cb?tenant=a'] });
    const ok = validateAuthorizationRequest(
      parseParams({ ...valid, redirect_uri: 'https://app.example/cb?tenant=a' }),
      c,
      options,
    );
    expect(ok.redirect_uri).toBe('https://app.example/cb?tenant=a');
    for (const redirect_uri of [
      'https://app.example/cb?tenant=b',
      'https://app.example/cb?tenant=a&x=1',
      'https://app.example/cb',
    ]) {
      expectPageError(caught({ ...valid, redirect_uri }, c), 'invalid_redirect_uri');
    }
  });

  it('accepts any one of several registered URIs', () => {
    const c = client({ redirect_uris: ['https://app.example/cb', 'https://app.example/other'] });
    const r = validateAuthorizationRequest(
      parseParams({ ...valid, redirect_uri: 'https://app.example/other' }),
      c,
      options,
    );
    expect(r.redirect_uri).toBe('https://app.example/other');
    expect(r.redirect_uri_supplied).toBe(true);
  });

  it('uses the only registered URI when an OAuth (non-OpenID) request omits it', () => {
    const { redirect_uri: _, ...rest } = valid;
    const r = validateAuthorizationRequest(
      parseParams({ ...rest, scope: 'api.read' }),
      client(),
      options,
    );
    expect(r.redirect_uri).toBe('https://app.example/cb');
    expect(r.redirect_uri_supplied).toBe(false);
  });

  it('requires redirect_uri in an OpenID request (OIDC Core 3.1.2.1)', () => {
    const { redirect_uri: _, ...rest } = valid;
    expectPageError(
      caught(rest, client()),
      'invalid_redirect_uri',
      'redirect_uri is required in an OpenID Connect request',
    );
  });

  it('requires redirect_uri when the client registered several or none', () => {
    const { redirect_uri: _, ...rest } = valid;
    const params = { ...rest, scope: 'api.read' };
    const several = client({ redirect_uris: ['https://app.example/cb', 'https://app.example/2'] });
    for (const c of [several, client({ redirect_uris: [] })]) {
      expectPageError(
        caught(params, c),
        'invalid_redirect_uri',
        'redirect_uri is required unless the client registered exactly one',
      );
    }
  });

  it('makes later errors redirectable to the checked redirect_uri, with state', () => {
    const err = caught({ ...valid, response_type: 'nope' }, client());
    expect(err).toBeInstanceOf(AuthorizationError);
    expect(err.allowRedirect).toBe(true);
    expect((err as AuthorizationError).redirect).toEqual({
      redirectUri: 'https://app.example/cb',
      responseMode: 'query',
      state: 's1',
    });
  });

  it('redirects to the single registered URI when it was omitted', () => {
    const { redirect_uri: _, state: __, ...rest } = valid;
    const err = caught({ ...rest, scope: 'api.read', response_type: 'nope' }, client());
    expect((err as AuthorizationError).redirect).toEqual({
      redirectUri: 'https://app.example/cb',
      responseMode: 'query',
    });
  });
});
