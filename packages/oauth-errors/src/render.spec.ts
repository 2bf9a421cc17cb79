import {
  InsufficientScope,
  InvalidClient,
  InvalidGrant,
  InvalidRedirectUri,
  InvalidToken,
  MissingBearerToken,
} from './errors';
import { fromWire, renderOAuthError, toWire } from './render';

describe('renderOAuthError', () => {
  it('renders an OAuth error as RFC 6749 5.2 JSON with no-store', () => {
    const r = renderOAuthError(new InvalidGrant('authorization code was already used'));
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      error: 'invalid_grant',
      error_description: 'authorization code was already used',
    });
    expect(r.headers['Cache-Control']).toBe('no-store');
  });

  it('hides anything that is not an OAuth error behind server_error', () => {
    const r = renderOAuthError(new Error('relation "events" does not exist at 10.0.0.3'));
    expect(r.status).toBe(500);
    expect(r.body).toEqual({
      error: 'server_error',
      error_description: 'an unexpected error occurred',
    });
    expect(JSON.stringify(r.body)).not.toMatch(/relation|10\.0\.0\.3/);
    expect((r.cause as Error).message).toMatch(/relation/);
  });

  it('gives invalid_client a 401 with a Basic challenge', () => {
    const r = renderOAuthError(new InvalidClient());
    expect(r.status).toBe(401);
    expect(r.headers['WWW-Authenticate']).toBe('Basic realm="idp"');
  });

  it('follows RFC 6750 3.1 for bearer errors', () => {
    expect(renderOAuthError(new MissingBearerToken()).headers['WWW-Authenticate']).toBe(
      'Bearer realm="idp"',
    );
    const invalid = renderOAuthError(new InvalidToken('token expired'));
    expect(invalid.status).toBe(401);
    expect(invalid.headers['WWW-Authenticate']).toBe(
      'Bearer realm="idp", error="invalid_token", error_description="token expired"',
    );
    const scope = renderOAuthError(new InsufficientScope('openid'));
    expect(scope.status).toBe(403);
    expect(scope.headers['WWW-Authenticate']).toMatch(/error="insufficient_scope".*scope="openid"/);
  });

  it('escapes quotes in challenge parameters', () => {
    const r = renderOAuthError(new InvalidToken('bad "token"'));
    expect(r.headers['WWW-Authenticate']).toContain('error_description="bad \\"token\\""');
  });

  it('never redirects an invalid redirect_uri error', () => {
    expect(new InvalidRedirectUri().allowRedirect).toBe(false);
    expect(new InvalidGrant().allowRedirect).toBe(true);
  });

  it('round-trips across the RPC boundary', () => {
    const back = fromWire(toWire(new InvalidClient('unknown client')));
    const r = renderOAuthError(back);
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ error: 'invalid_client', error_description: 'unknown client' });
    expect(r.headers['WWW-Authenticate']).toBe('Basic realm="idp"');
  });
});
