import { clientCredentials, JWT_BEARER_ASSERTION } from './client-credentials';

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const auth = (header: string | undefined, form: Record<string, string>) =>
  clientCredentials(header, form).clientAuth;
const failure = (header: string | undefined, form: Record<string, string>) => {
  try {
    auth(header, form);
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
};

describe('clientCredentials (RFC 6749 2.3)', () => {
  it('allows a client_id in the body next to Basic when it is the same client', () => {
    expect(auth(basic('app', 's'), { client_id: 'app' })).toEqual({
      method: 'client_secret_basic',
      clientId: 'app',
      secret: 's',
    });
    expect(failure(basic('app', 's'), { client_id: 'other' })).toMatchObject({
      error: 'invalid_request',
      status: 400,
    });
  });

  it('passes the optional client_id of an assertion', () => {
    expect(
      auth(undefined, {
        client_id: 'app',
        client_assertion: 'a.b.c',
        client_assertion_type: JWT_BEARER_ASSERTION,
      }),
    ).toEqual({ method: 'private_key_jwt', clientId: 'app', assertion: 'a.b.c' });
  });

  describe('which assertion method (OIDC Core 9), from the header alg', () => {
    const jws = (header: unknown) =>
      `${Buffer.from(JSON.stringify(header)).toString('base64url')}.e30.sig`;
    const methodOf = (assertion: string) =>
      auth(undefined, { client_assertion: assertion, client_assertion_type: JWT_BEARER_ASSERTION })
        .method;

    it.each(['HS256', 'HS384', 'HS512'])('%s: client_secret_jwt', (alg) => {
      expect(methodOf(jws({ alg, typ: 'JWT' }))).toBe('client_secret_jwt');
    });

    it.each([
      ['RS256', jws({ alg: 'RS256' })],
      ['ES256', jws({ alg: 'ES256' })],
      ['none', jws({ alg: 'none' })],
      ['hs256 (algs are case-sensitive)', jws({ alg: 'hs256' })],
      ['HS1', jws({ alg: 'HS1' })],
      ['an alg that is not a string', jws({ alg: ['HS256'] })],
      ['no alg', jws({ typ: 'JWT' })],
      ['a null header', jws(null)],
      ['a header that is not JSON', 'bm90IGpzb24.e30.sig'],
      ['no dot at all', 'abc'],
    ])('%s: private_key_jwt, whose verifier then refuses it', (_, assertion) => {
      expect(methodOf(assertion)).toBe('private_key_jwt');
    });
  });

  it.each([
    ['an assertion without its type', { client_assertion: 'a.b.c' }, 'invalid_request', 400],
    [
      'an assertion type alone',
      { client_assertion_type: JWT_BEARER_ASSERTION },
      'invalid_request',
      400,
    ],
    [
      'an assertion and a secret',
      {
        client_id: 'app',
        client_secret: 's',
        client_assertion: 'a.b.c',
        client_assertion_type: JWT_BEARER_ASSERTION,
      },
      'invalid_request',
      400,
    ],
    [
      'another assertion type',
      { client_assertion: 'a', client_assertion_type: 'urn:x:saml' },
      'invalid_client',
      401,
    ],
    ['a secret without client_id', { client_secret: 's' }, 'invalid_request', 400],
    [
      'a client_id beyond any registered one',
      { client_id: 'x'.repeat(201) },
      'invalid_client',
      401,
    ],
  ])('refuses %s', (_, form, error, status) => {
    expect(failure(undefined, form)).toMatchObject({ error, status });
  });

  it('refuses empty Basic parts', () => {
    expect(failure(basic('', 's'), {})).toMatchObject({ error: 'invalid_client', status: 401 });
    expect(failure(basic('app', ''), {})).toMatchObject({ error: 'invalid_client', status: 401 });
  });

  it('strips exactly the credential parameters from the grant parameters', () => {
    const { params } = clientCredentials(undefined, {
      grant_type: 'refresh_token',
      refresh_token: 'rt',
      client_id: 'app',
      client_secret: 's',
    });
    expect(params).toEqual({ grant_type: 'refresh_token', refresh_token: 'rt' });
  });
});
