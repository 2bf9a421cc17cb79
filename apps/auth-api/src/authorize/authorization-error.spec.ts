import { clientMetadata } from '@idp/contracts';
import { InvalidRedirectUri, LoginRequired, OAuthError } from '@idp/oauth-errors';
import { AuthorizationError, toAuthorizationError } from './authorization-error';
import { validateAuthorizationRequest } from './authorization-request';
import { parseParams } from '@idp/nest-kit';

const client = clientMetadata.parse({
  client_id: 'app',
  redirect_uris: ['https://app.example/cb'],
  response_types: ['code id_token'],
});
const validate = (params: Record<string, string>) =>
  validateAuthorizationRequest(parseParams(params), client, {
    allowPlainPkce: false,
    supportedScopes: ['openid'],
  });
const withNonce = (response_type: string) => ({
  client_id: 'app',
  redirect_uri: 'https://app.example/cb',
  scope: 'openid',
  state: 'st',
  response_type,
  nonce: 'n',
});

describe('toAuthorizationError', () => {
  const request = validate({ ...withNonce('code id_token'), response_mode: 'form_post' });

  it('redirects an error raised after validation (prompt=none → login_required)', () => {
    const err = toAuthorizationError(new LoginRequired('end-user is not logged in'), request);
    expect(err).toBeInstanceOf(AuthorizationError);
    expect(err.toJSON()).toEqual({
      error: 'login_required',
      error_description: 'end-user is not logged in',
    });
    expect((err as AuthorizationError).redirect).toEqual({
      redirectUri: 'https://app.example/cb',
      responseMode: 'form_post',
      state: 'st',
    });
  });

  it('turns an unknown failure into a redirectable server_error that hides the cause', () => {
    const err = toAuthorizationError(new Error('ECONNREFUSED 10.0.0.3'), request);
    expect(err).toBeInstanceOf(AuthorizationError);
    expect(err.error).toBe('server_error');
    expect(err.expose).toBe(false);
  });

  it('redirects a storage fault as temporarily_unavailable (RFC 6749 4.1.2.1), never server_error', () => {
    const lost = Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
    });
    const err = toAuthorizationError(lost, request);
    expect(err).toBeInstanceOf(AuthorizationError);
    expect(err.error).toBe('temporarily_unavailable');
    expect(err.toJSON().error_description).not.toMatch(/terminating|57P01/);
  });

  it('never makes a non-redirectable error redirectable', () => {
    const bad = new InvalidRedirectUri();
    expect(toAuthorizationError(bad, request)).toBe(bad);
    expect(toAuthorizationError(bad, request)).toBeInstanceOf(OAuthError);
  });
});
