import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { TemporarilyUnavailable } from '@idp/oauth-errors';
import { createAuthApi } from '../http/auth-api.fixtures';

/** Literal, not imported: the advertised list is the contract this test pins. */
const ASSERTION_ALGS = ['RS256', 'PS256', 'ES256', 'EdDSA', 'HS256', 'HS384', 'HS512'];

const JWKS = {
  keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'k1', alg: 'ES256', use: 'sig' }],
};

describe('discovery and JWKS', () => {
  let app: NestFastifyApplication;
  const jwks = jest.fn(async () => JWKS);

  beforeAll(async () => {
    app = await createAuthApi({ token: { jwks } });
  });
  afterAll(() => app.close());

  it('publishes exactly what is served (OIDC Discovery 3)', async () => {
    const res = await app.inject({ method: 'GET', url: '/.well-known/openid-configuration' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    expect(res.json()).toEqual({
      issuer: 'https://idp.example.com',
      authorization_endpoint: 'https://idp.example.com/authorize',
      token_endpoint: 'https://idp.example.com/token',
      userinfo_endpoint: 'https://idp.example.com/userinfo',
      jwks_uri: 'https://idp.example.com/jwks',
      revocation_endpoint: 'https://idp.example.com/revoke',
      device_authorization_endpoint: 'https://idp.example.com/device_authorization',
      introspection_endpoint: 'https://idp.example.com/introspect',
      scopes_supported: ['openid', 'profile', 'email', 'address', 'phone', 'offline_access'],
      response_types_supported: [
        'code',
        'id_token',
        'id_token token',
        'code id_token',
        'code token',
        'code id_token token',
      ],
      response_modes_supported: ['query', 'fragment', 'form_post'],
      grant_types_supported: [
        'authorization_code',
        'refresh_token',
        'client_credentials',
        'urn:ietf:params:oauth:grant-type:token-exchange',
        'urn:ietf:params:oauth:grant-type:device_code',
        'implicit',
      ],
      subject_types_supported: ['public'],
      // SIGNING_KEY_ALGS defaults to RS256 and ES256: only those have a key.
      id_token_signing_alg_values_supported: ['RS256', 'ES256'],
      userinfo_signing_alg_values_supported: ['RS256', 'ES256'],
      token_endpoint_auth_methods_supported: [
        'client_secret_basic',
        'client_secret_post',
        'client_secret_jwt',
        'private_key_jwt',
        'none',
      ],
      // client_secret_jwt's HMACs after private_key_jwt's signatures (ADR 0031).
      token_endpoint_auth_signing_alg_values_supported: [...ASSERTION_ALGS],
      revocation_endpoint_auth_methods_supported: [
        'client_secret_basic',
        'client_secret_post',
        'client_secret_jwt',
        'private_key_jwt',
        'none',
      ],
      revocation_endpoint_auth_signing_alg_values_supported: [...ASSERTION_ALGS],
      introspection_endpoint_auth_methods_supported: [
        'client_secret_basic',
        'client_secret_post',
        'client_secret_jwt',
        'private_key_jwt',
      ],
      introspection_endpoint_auth_signing_alg_values_supported: [...ASSERTION_ALGS],
      code_challenge_methods_supported: ['S256'],
      claims_supported: expect.arrayContaining(['sub', 'auth_time', 'sid', 'email', 'address']),
      claims_parameter_supported: true,
      acr_values_supported: ['urn:idp:acr:pwd'],
      request_parameter_supported: true,
      request_uri_parameter_supported: true,
      require_request_uri_registration: true,
      request_object_signing_alg_values_supported: ['RS256', 'PS256', 'ES256', 'EdDSA'],
      pushed_authorization_request_endpoint: 'https://idp.example.com/par',
      require_pushed_authorization_requests: false,
      authorization_response_iss_parameter_supported: true,
      end_session_endpoint: 'https://idp.example.com/logout',
      frontchannel_logout_supported: true,
      frontchannel_logout_session_supported: true,
      backchannel_logout_supported: true,
      backchannel_logout_session_supported: true,
      dpop_signing_alg_values_supported: ['ES256', 'EdDSA', 'RS256', 'PS256'],
    });
  });

  it('advertises revocation (public clients too) and introspection (confidential clients only)', async () => {
    const doc = (await app.inject({ url: '/.well-known/openid-configuration' })).json();
    expect(doc).toMatchObject({
      revocation_endpoint: 'https://idp.example.com/revoke',
      revocation_endpoint_auth_methods_supported: [
        'client_secret_basic',
        'client_secret_post',
        'client_secret_jwt',
        'private_key_jwt',
        'none',
      ],
      introspection_endpoint: 'https://idp.example.com/introspect',
      introspection_endpoint_auth_methods_supported: [
        'client_secret_basic',
        'client_secret_post',
        'client_secret_jwt',
        'private_key_jwt',
      ],
    });
  });

  it('advertises nothing that does not exist yet', async () => {
    const doc = (await app.inject({ url: '/.well-known/openid-configuration' })).json();
    for (const key of ['registration_endpoint', 'check_session_iframe']) {
      expect(doc).not.toHaveProperty(key);
    }
  });

  it('says require_pushed_authorization_requests as REQUIRE_PUSHED_AUTHORIZATION_REQUESTS sets it (RFC 9126 5)', async () => {
    const requiring = await createAuthApi({
      token: { jwks },
      env: { REQUIRE_PUSHED_AUTHORIZATION_REQUESTS: 'true' },
    });
    try {
      const doc = (await requiring.inject({ url: '/.well-known/openid-configuration' })).json();
      expect(doc.require_pushed_authorization_requests).toBe(true);
      expect(doc.pushed_authorization_request_endpoint).toBe('https://idp.example.com/par');
    } finally {
      await requiring.close();
    }
  });

  it('advertises registration_endpoint only while an initial access token enables /register', async () => {
    const withRegistration = await createAuthApi({
      token: { jwks },
      env: { INITIAL_ACCESS_TOKEN: 'x'.repeat(32) },
    });
    try {
      const doc = (
        await withRegistration.inject({ url: '/.well-known/openid-configuration' })
      ).json();
      expect(doc.registration_endpoint).toBe('https://idp.example.com/register');
    } finally {
      await withRegistration.close();
    }
  });

  it('serves the key set with its media type and a short cache, asking token-service once', async () => {
    jwks.mockClear();
    const first = await app.inject({ method: 'GET', url: '/jwks' });
    const second = await app.inject({ method: 'GET', url: '/jwks' });
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toBe('application/jwk-set+json; charset=utf-8');
    expect(first.headers['cache-control']).toBe('public, max-age=60');
    expect(first.json()).toEqual(JWKS);
    expect(second.json()).toEqual(JWKS);
    expect(jwks).toHaveBeenCalledTimes(1);
    expect(jwks).toHaveBeenCalledWith({});
  });
});

describe('discovery under other settings', () => {
  it('offers plain PKCE only when allowed, every configured algorithm, and endpoints under a path issuer', async () => {
    const app = await createAuthApi({
      env: {
        ISSUER: 'https://login.example.com/tenant-a',
        ALLOW_PLAIN_PKCE: 'true',
        SIGNING_KEY_ALGS: 'RS256,PS256,ES256,EdDSA',
        DPOP_SIGNING_ALGS: 'ES384, EdDSA',
      },
    });
    try {
      const doc = (await app.inject({ url: '/.well-known/openid-configuration' })).json();
      expect(doc.issuer).toBe('https://login.example.com/tenant-a');
      expect(doc.token_endpoint).toBe('https://login.example.com/tenant-a/token');
      expect(doc.code_challenge_methods_supported).toEqual(['S256', 'plain']);
      expect(doc.id_token_signing_alg_values_supported).toEqual([
        'RS256',
        'PS256',
        'ES256',
        'EdDSA',
      ]);
      expect(doc.dpop_signing_alg_values_supported).toEqual(['ES384', 'EdDSA']);
    } finally {
      await app.close();
    }
  });

  it('answers 503 temporarily_unavailable when the keys cannot be fetched and none are cached', async () => {
    const app = await createAuthApi({
      token: {
        jwks: () => Promise.reject(new TemporarilyUnavailable('upstream service unavailable')),
      },
    });
    try {
      const res = await app.inject({ url: '/jwks' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({
        error: 'temporarily_unavailable',
        error_description: 'upstream service unavailable',
      });
      expect(res.headers['cache-control']).toBe('no-store');
    } finally {
      await app.close();
    }
  });
});
