import { createHash } from 'node:crypto';
import { clientMetadata, type ClientMetadata } from '@idp/contracts';
import { AuthorizationError } from './authorization-error';
import { validateAuthorizationRequest } from './authorization-request';
import { parseParams } from '@idp/nest-kit';

const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const s256 = createHash('sha256').update(verifier).digest('base64url');

function client(overrides: Partial<ClientMetadata> = {}): ClientMetadata {
  return clientMetadata.parse({
    client_id: 'app',
    redirect_uris: ['https://app.example/cb'],
    response_types: ['code', 'id_token', 'code id_token'],
    ...overrides,
  });
}
const publicClient = client({ token_endpoint_auth_method: 'none' });
const base = {
  client_id: 'app',
  redirect_uri: 'https://app.example/cb',
  response_type: 'code',
  scope: 'openid',
};

function validate(params: Record<string, string>, c = client(), allowPlainPkce = false) {
  return validateAuthorizationRequest(parseParams(params), c, {
    allowPlainPkce,
    supportedScopes: ['openid'],
  });
}

function expectRedirected(
  run: () => unknown,
  description: string,
  responseMode: 'query' | 'fragment' = 'query',
): void {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(AuthorizationError);
    expect((err as AuthorizationError).toJSON()).toEqual({
      error: 'invalid_request',
      error_description: description,
    });
    expect((err as AuthorizationError).redirect.responseMode).toBe(responseMode);
    return;
  }
  throw new Error('expected invalid_request');
}

describe('PKCE (RFC 7636)', () => {
  it('accepts S256', () => {
    const r = validate(
      { ...base, code_challenge: s256, code_challenge_method: 'S256' },
      publicClient,
    );
    expect(r.code_challenge).toBe(s256);
    expect(r.code_challenge_method).toBe('S256');
  });

  it('is required for a public client using code (RFC 9700 2.1.1)', () => {
    const description = 'PKCE (code_challenge) is required for public clients';
    expectRedirected(() => validate(base, publicClient), description);
    expectRedirected(
      () => validate({ ...base, response_type: 'code id_token', nonce: 'n' }, publicClient),
      description,
      'fragment',
    );
  });

  it('is optional for a confidential client', () => {
    const r = validate(base);
    expect(r.code_challenge).toBeUndefined();
    expect(r).not.toHaveProperty('code_challenge_method');
  });

  it('is not asked of a public client that gets no code', () => {
    const r = validate({ ...base, response_type: 'id_token', nonce: 'n' }, publicClient);
    expect(r).not.toHaveProperty('code_challenge');
  });

  it('refuses a method without a challenge', () => {
    expectRedirected(
      () => validate({ ...base, code_challenge_method: 'S256' }),
      'code_challenge_method requires code_challenge',
    );
  });

  it('reads a missing method as plain (RFC 7636 4.3), refused unless plain is allowed', () => {
    expectRedirected(
      () => validate({ ...base, code_challenge: verifier }),
      'code_challenge_method is required (plain is not allowed; use S256)',
    );
    const r = validate({ ...base, code_challenge: verifier }, client(), true);
    expect(r.code_challenge_method).toBe('plain');
  });

  it('refuses plain unless allowPlainPkce', () => {
    const params = { ...base, code_challenge: verifier, code_challenge_method: 'plain' };
    expectRedirected(
      () => validate(params),
      'code_challenge_method plain is not allowed; use S256',
    );
    expect(validate(params, client(), true).code_challenge_method).toBe('plain');
  });

  it('refuses an unknown method', () => {
    expectRedirected(
      () => validate({ ...base, code_challenge: s256, code_challenge_method: 'S512' }),
      'code_challenge_method must be S256',
    );
  });

  it.each([
    ['42 characters', 'a'.repeat(42)],
    ['129 characters', 'a'.repeat(129)],
    ['a "+"', `${'a'.repeat(42)}+`],
    ['a "="', `${'a'.repeat(42)}=`],
    ['a space', `${'a'.repeat(21)} ${'a'.repeat(21)}`],
  ])('refuses a challenge with %s', (_, code_challenge) => {
    expectRedirected(
      () => validate({ ...base, code_challenge, code_challenge_method: 'plain' }, client(), true),
      'code_challenge must be 43 to 128 characters of [A-Za-z0-9-._~]',
    );
  });

  it('accepts a 128-character plain challenge of unreserved characters', () => {
    const code_challenge = `${'A-._~'.repeat(25)}xyz`;
    const r = validate({ ...base, code_challenge, code_challenge_method: 'plain' }, client(), true);
    expect(r.code_challenge).toBe(code_challenge);
  });

  it('refuses an S256 challenge that cannot be a SHA-256 digest', () => {
    for (const code_challenge of [`${s256}A`, `${s256.slice(0, 42)}~`]) {
      expectRedirected(
        () => validate({ ...base, code_challenge, code_challenge_method: 'S256' }),
        'an S256 code_challenge is 43 base64url characters',
      );
    }
  });
});
