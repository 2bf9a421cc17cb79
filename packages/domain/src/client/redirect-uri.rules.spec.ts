import { clientDecider } from './client.decider';
import {
  attempt,
  metadataError,
  nativeClient,
  redirectError,
  register,
  webClient,
} from './client.fixtures';
import type { RegisterClient } from './client.commands';

const accepts = (cmd: RegisterClient) =>
  expect(clientDecider.decide(cmd, clientDecider.initialState())).toHaveLength(1);

describe('redirect URI rules (RFC 6749 3.1.2, RFC 8252)', () => {
  it('are required for the code and implicit flows, not for client_credentials', () => {
    expect(attempt(register(webClient({ redirect_uris: [] })))).toEqual(
      redirectError(
        'redirect_uris is required for the authorization_code and implicit grant types',
      ),
    );
    accepts(
      register(
        webClient({ redirect_uris: [], grant_types: ['client_credentials'], response_types: [] }),
      ),
    );
  });

  it.each([
    ['a fragment', 'https://rp.example/cb#frag', 'must not contain a fragment'],
    ['an empty fragment', 'https://rp.example/cb#', 'must not contain a fragment'],
    [
      'http on a public host',
      'http://rp.example/cb',
      'must use https (http only on localhost, 127.0.0.1 or [::1])',
    ],
    ['javascript:', 'javascript:alert(1)', 'must not use the javascript: scheme'],
    [
      'a custom scheme for a confidential client',
      'com.example.app:/cb',
      'may use a custom scheme only for a native client (token_endpoint_auth_method none)',
    ],
  ])('refuse %s', (_, uri, problem) => {
    expect(attempt(register(webClient({ redirect_uris: [uri] })))).toEqual(
      redirectError(`redirect_uri ${uri} ${problem}`),
    );
  });

  it('refuse what is not a URL at all', () => {
    expect(attempt(register(webClient({ redirect_uris: ['/cb'] })))).toMatchObject({
      error: 'invalid_redirect_uri',
    });
  });

  it.each(['http://localhost:3000/cb', 'http://127.0.0.1/cb', 'http://[::1]:8080/cb'])(
    'accept loopback http %s',
    (uri) => accepts(register(webClient({ redirect_uris: [uri] }))),
  );

  it('accept custom schemes and loopback for native (public) clients', () => {
    accepts(register(nativeClient()));
  });

  it('apply the same rules to post_logout_redirect_uris', () => {
    expect(
      attempt(register(webClient({ post_logout_redirect_uris: ['https://rp.example/bye#x'] }))),
    ).toEqual(
      metadataError(
        'post_logout_redirect_uris https://rp.example/bye#x must not contain a fragment',
      ),
    );
  });
});
