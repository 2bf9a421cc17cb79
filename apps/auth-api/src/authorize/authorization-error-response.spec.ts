import { AccessDenied, InvalidRequest, ServerError } from '@idp/oauth-errors';
import { AuthorizationError } from './authorization-error';
import {
  renderAuthorizationError,
  renderAuthorizationResponse,
  type AuthorizationResponse,
} from './authorization-response';
import type { AuthorizationRedirect } from './types';

const options = { issuer: 'https://idp.example', scriptNonce: 'r4nd0mN0nceValue123' };
const iss = 'iss=https%3A%2F%2Fidp.example';

function location(r: AuthorizationResponse): string {
  if (r.kind !== 'redirect') throw new Error(`expected a redirect, got ${r.kind}`);
  return r.location;
}
function html(r: AuthorizationResponse): string {
  if (r.kind !== 'html') throw new Error(`expected html, got ${r.kind}`);
  return r.body;
}
const target = (redirectUri: string, responseMode: AuthorizationRedirect['responseMode']) => ({
  redirectUri,
  responseMode,
  state: 'xyz',
});

describe('renderAuthorizationError', () => {
  it('sends error, error_description, state and iss (RFC 6749 4.1.2.1)', () => {
    const err = new AuthorizationError(
      new AccessDenied('the user denied the request'),
      target('https://app.example/cb', 'query'),
    );
    expect(location(renderAuthorizationError(err, options))).toBe(
      `https://app.example/cb?error=access_denied&error_description=the+user+denied+the+request&state=xyz&${iss}`,
    );
  });

  it('uses the fragment for implicit and hybrid errors', () => {
    const err = new AuthorizationError(
      new InvalidRequest('bad'),
      target('https://app.example/cb', 'fragment'),
    );
    expect(location(renderAuthorizationError(err, options))).toBe(
      `https://app.example/cb#error=invalid_request&error_description=bad&state=xyz&${iss}`,
    );
  });

  it('never sends the real cause of a server_error', () => {
    const err = new AuthorizationError(
      new ServerError(new Error('db password wrong')),
      target('https://app.example/cb', 'query'),
    );
    const loc = location(renderAuthorizationError(err, options));
    expect(new URL(loc).searchParams.get('error')).toBe('server_error');
    expect(new URL(loc).searchParams.get('error_description')).toBe('an unexpected error occurred');
    expect(loc).not.toContain('password');
  });

  it('keeps error_description within %x20-21 / %x23-5B / %x5D-7E', () => {
    const err = new AuthorizationError(
      new InvalidRequest('bad "value" \\ é\n'),
      target('https://app.example/cb', 'query'),
    );
    const loc = location(renderAuthorizationError(err, options));
    expect(new URL(loc).searchParams.get('error_description')).toBe('bad ?value? ? ??');
  });

  it('renders errors as form_post too', () => {
    const err = new AuthorizationError(
      new InvalidRequest('x'),
      target('https://app.example/cb', 'form_post'),
    );
    const body = html(renderAuthorizationError(err, options));
    expect(body).toContain('<input type="hidden" name="error" value="invalid_request">');
    expect(body).toContain('<input type="hidden" name="iss" value="https://idp.example">');
  });
});

it.each(['javascript:alert(1)', 'JavaScript:alert(1)', 'data:text/html,x', 'no-scheme/cb'])(
  'refuses to respond to %j',
  (redirectUri) => {
    expect(() =>
      renderAuthorizationResponse(
        { redirectUri, responseMode: 'form_post' },
        { code: 'c' },
        options,
      ),
    ).toThrow('unsafe redirect_uri');
  },
);
