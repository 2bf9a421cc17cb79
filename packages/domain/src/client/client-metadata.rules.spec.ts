import { clientDecider } from './client.decider';
import {
  attempt,
  metadataError,
  nativeClient,
  publicIssuerPolicy,
  register,
  update,
  webClient,
} from './client.fixtures';
import { outboundPolicy } from '../outbound';
import { errorBody, stateAfter } from './client.fixtures';
import type { RegisterClient } from './client.commands';

const accepts = (cmd: RegisterClient) =>
  expect(clientDecider.decide(cmd, clientDecider.initialState())).toHaveLength(1);

describe('client metadata rules (RFC 7591, OIDC Registration)', () => {
  describe('grant and response types', () => {
    it('refuse an unsupported grant type', () => {
      expect(
        attempt(register(webClient({ grant_types: ['authorization_code', 'password'] }))),
      ).toEqual(metadataError('grant_types contains unsupported grant type "password"'));
    });

    it('need authorization_code for code and implicit for id_token / token', () => {
      expect(attempt(register(webClient({ grant_types: ['client_credentials'] })))).toEqual(
        metadataError('response_types "code" requires the authorization_code grant type'),
      );
      expect(attempt(register(webClient({ response_types: ['code id_token'] })))).toEqual(
        metadataError('response_types "code id_token" requires the implicit grant type'),
      );
      accepts(
        register(
          webClient({
            response_types: ['code id_token', 'code'],
            grant_types: ['authorization_code', 'implicit'],
          }),
        ),
      );
    });

    it('refuse unknown or repeated response type parts', () => {
      expect(attempt(register(webClient({ response_types: ['code code'] })))).toEqual(
        metadataError('response_types contains unsupported response type "code code"'),
      );
      expect(attempt(register(webClient({ response_types: ['device_code'] })))).toMatchObject({
        error: 'invalid_client_metadata',
      });
    });
  });

  describe('client authentication', () => {
    it('a public client has no secret and cannot use client_credentials', () => {
      expect(attempt(register(nativeClient(), { secretHash: 'x'.repeat(43) }))).toEqual(
        metadataError(
          'token_endpoint_auth_method none (a public client) cannot have a client secret',
        ),
      );
      expect(
        attempt(
          register(nativeClient({ grant_types: ['authorization_code', 'client_credentials'] })),
        ),
      ).toEqual(
        metadataError(
          'grant_types client_credentials requires an authenticated (confidential) client',
        ),
      );
    });

    it('a public client may use the device grant, without redirect URIs (RFC 8628)', () => {
      accepts(
        register(
          nativeClient({
            redirect_uris: [],
            response_types: [],
            grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
          }),
        ),
      );
      expect(
        attempt(
          register(
            nativeClient({
              redirect_uris: [],
              response_types: [],
              grant_types: ['urn:ietf:params:oauth:grant-type:device'],
            }),
          ),
        ),
      ).toEqual(
        metadataError(
          'grant_types contains unsupported grant type "urn:ietf:params:oauth:grant-type:device"',
        ),
      );
    });

    it('client_secret_* methods need a secret', () => {
      const { secretHash: _, ...noSecret } = register(
        webClient({ token_endpoint_auth_method: 'client_secret_post' }),
      );
      expect(attempt(noSecret)).toEqual(
        metadataError('token_endpoint_auth_method client_secret_post requires a client secret'),
      );
    });

    it('private_key_jwt needs jwks or jwks_uri, never both', () => {
      const pkj = (over: object) =>
        register(webClient({ token_endpoint_auth_method: 'private_key_jwt', ...over }));
      expect(attempt(pkj({}))).toEqual(
        metadataError('token_endpoint_auth_method private_key_jwt requires jwks or jwks_uri'),
      );
      expect(attempt(pkj({ jwks: { keys: [] }, jwks_uri: 'https://rp.example/jwks' }))).toEqual(
        metadataError('jwks and jwks_uri must not both be present'),
      );
      expect(attempt(pkj({ jwks_uri: 'http://rp.example/jwks' }))).toMatchObject({
        error: 'invalid_client_metadata',
      });
      accepts(pkj({ jwks_uri: 'https://rp.example/jwks' }));
      accepts(pkj({ jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] } }));
    });
  });

  describe('logout and tokens', () => {
    it.each([
      [
        'http://rp.example/bcl',
        'backchannel_logout_uri must use https (http only on localhost, 127.0.0.1 or [::1])',
      ],
      ['https://rp.example/bcl#x', 'backchannel_logout_uri must not contain a fragment'],
      ['urn:example:bcl', 'backchannel_logout_uri must use https'],
    ])('refuse backchannel_logout_uri %s', (uri, description) => {
      expect(attempt(register(webClient({ backchannel_logout_uri: uri })))).toEqual(
        metadataError(description),
      );
    });

    it('dpop_bound_access_tokens (RFC 9449 5.2) is refused with a front-channel access token', () => {
      accepts(register(webClient({ dpop_bound_access_tokens: true })));
      expect(
        attempt(
          register(
            webClient({
              dpop_bound_access_tokens: true,
              grant_types: ['authorization_code', 'implicit'],
              response_types: ['code token'],
            }),
          ),
        ),
      ).toEqual(
        metadataError(
          'dpop_bound_access_tokens cannot be true with a response type that issues an access token from the authorization endpoint',
        ),
      );
      expect(
        attempt(register(webClient({ dpop_bound_access_tokens: 'yes' as never }))),
      ).toMatchObject({ error: 'invalid_client_metadata' });
    });

    it('accept an https or loopback backchannel_logout_uri', () => {
      accepts(register(webClient({ backchannel_logout_uri: 'https://rp.example/bcl' })));
      accepts(register(webClient({ backchannel_logout_uri: 'http://localhost:4000/bcl' })));
    });

    describe('URIs the service calls (server-side request forgery, issue #13)', () => {
      const production = { outbound: publicIssuerPolicy };
      it.each([
        [
          'backchannel_logout_uri',
          'https://169.254.169.254/latest/meta-data',
          '169.254.169.254 is a link-local address (169.254.0.0/16)',
        ],
        [
          'backchannel_logout_uri',
          'http://127.0.0.1:6379/',
          '127.0.0.1 is a loopback address (127.0.0.0/8)',
        ],
        [
          'backchannel_logout_uri',
          'https://kubernetes.default.svc/api',
          'kubernetes.default.svc is a cluster-internal service name (*.svc)',
        ],
        [
          'jwks_uri',
          'https://169.254.169.254/latest/meta-data',
          '169.254.169.254 is a link-local address (169.254.0.0/16)',
        ],
        ['jwks_uri', 'http://127.0.0.1:6379/', '127.0.0.1 is a loopback address (127.0.0.0/8)'],
        [
          'jwks_uri',
          'https://kubernetes.default.svc/api',
          'kubernetes.default.svc is a cluster-internal service name (*.svc)',
        ],
      ])('refuse %s %s as invalid_client_metadata naming the field', (field, uri, why) => {
        const metadata =
          field === 'jwks_uri'
            ? webClient({ token_endpoint_auth_method: 'private_key_jwt', jwks_uri: uri })
            : webClient({ backchannel_logout_uri: uri });
        expect(attempt(register(metadata, production))).toEqual(
          metadataError(`${field} must not point to an internal host: ${why}`),
        );
      });

      it('refuse them on update too (RFC 7592 PUT, admin PUT, a changed seed)', () => {
        const state = stateAfter(register(webClient(), production));
        expect(
          errorBody(() =>
            clientDecider.decide(
              update(webClient({ backchannel_logout_uri: 'https://10.0.0.1/bcl' }), production),
              state,
            ),
          ),
        ).toEqual(
          metadataError(
            'backchannel_logout_uri must not point to an internal host: 10.0.0.1 is a private address (10.0.0.0/8)',
          ),
        );
      });

      it('allow loopback only for a loopback issuer, and internal hosts only when OUTBOUND_ALLOW names them', () => {
        const loopbackIssuer = outboundPolicy({ allow: [], issuer: 'http://127.0.0.1:3000' });
        accepts(
          register(webClient({ backchannel_logout_uri: 'http://127.0.0.1:6379/' }), {
            outbound: loopbackIssuer,
          }),
        );
        expect(
          attempt(
            register(webClient({ backchannel_logout_uri: 'https://169.254.169.254/' }), {
              outbound: loopbackIssuer,
            }),
          ),
        ).toMatchObject({ error: 'invalid_client_metadata' });
        const allowed = outboundPolicy({
          allow: ['kubernetes.default.svc', '169.254.0.0/16'],
          issuer: 'https://idp.example',
        });
        accepts(
          register(webClient({ backchannel_logout_uri: 'https://kubernetes.default.svc/api' }), {
            outbound: allowed,
          }),
        );
        accepts(
          register(webClient({ backchannel_logout_uri: 'https://169.254.169.254/x' }), {
            outbound: allowed,
          }),
        );
      });

      it('leave frontchannel_logout_uri to the browser: an intranet RP may frame one', () => {
        accepts(
          register(webClient({ frontchannel_logout_uri: 'https://rp.internal/fcl' }), production),
        );
      });
    });

    it('jwe access tokens need the resources whose keys encrypt them', () => {
      expect(attempt(register(webClient({ access_token_format: 'jwe' })))).toEqual(
        metadataError(
          'access_token_format jwe requires resources: the audiences whose keys encrypt the token',
        ),
      );
      accepts(
        register(webClient({ access_token_format: 'jwe', resources: ['https://api.example'] })),
      );
      expect(attempt(register(webClient({ resources: ['https://api.example/#x'] })))).toEqual(
        metadataError('resources https://api.example/#x must not contain a fragment'),
      );
    });

    it('resources (RFC 8707 2): absolute, no fragment, bounded in length and number, unique', () => {
      accepts(register(webClient({ resources: ['https://a.example', 'urn:example:api'] })));
      expect(attempt(register(webClient({ resources: ['api/v1'] })))).toEqual(
        metadataError('resources api/v1 must be an absolute URI'),
      );
      expect(attempt(register(webClient({ resources: ['https://a.example/x y'] })))).toEqual(
        metadataError('resources https://a.example/x y must not contain white space'),
      );
      const long = `https://a.example/${'a'.repeat(2000)}`;
      expect(attempt(register(webClient({ resources: [long] })))).toEqual(
        metadataError(`resources ${long.slice(0, 200)} must be at most 2000 characters`),
      );
      const eleven = Array.from({ length: 11 }, (_, i) => `https://a.example/${i}`);
      expect(attempt(register(webClient({ resources: eleven })))).toEqual(
        metadataError('resources may contain at most 10 resource indicators'),
      );
      accepts(register(webClient({ resources: eleven.slice(1) })));
      expect(
        attempt(register(webClient({ resources: ['https://a.example', 'https://a.example'] }))),
      ).toEqual(metadataError('resources must not contain the same resource twice'));
    });

    it('refuse unsigned or unknown algorithms', () => {
      expect(attempt(register(webClient({ id_token_signed_response_alg: 'none' })))).toEqual(
        metadataError('id_token_signed_response_alg must be one of RS256, PS256, ES256, EdDSA'),
      );
    });

    describe('request objects (RFC 9101, OIDC Registration 2)', () => {
      const jwks = { keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'abc' }] };
      const production = { outbound: publicIssuerPolicy };
      it('accept an allowed alg and https request_uris (with a fragment) for a client with keys', () => {
        accepts(
          register(
            webClient({
              jwks,
              request_object_signing_alg: 'ES256',
              request_uris: ['https://rp.example/req.jwt#abc', 'https://rp.example/other.jwt'],
            }),
            production,
          ),
        );
      });
      it.each(['none', 'HS256', 'RS1', 'ES512'])('refuse request_object_signing_alg %s', (alg) => {
        expect(
          attempt(register(webClient({ jwks, request_object_signing_alg: alg }), production)),
        ).toEqual(
          metadataError('request_object_signing_alg must be one of RS256, PS256, ES256, EdDSA'),
        );
      });
      it('need the client keys that request objects are verified with', () => {
        expect(
          attempt(register(webClient({ request_uris: ['https://rp.example/r'] }), production)),
        ).toEqual(
          metadataError(
            'request_uris requires jwks or jwks_uri: request objects must be signed with the client keys',
          ),
        );
        expect(
          attempt(register(webClient({ request_object_signing_alg: 'ES256' }), production)),
        ).toEqual(
          metadataError(
            'request_object_signing_alg requires jwks or jwks_uri: request objects must be signed with the client keys',
          ),
        );
      });
      it.each([
        ['http://rp.example/r', 'must use https (http only on localhost, 127.0.0.1 or [::1])'],
        ['ftp://rp.example/r', 'must use https'],
        [`https://rp.example/${'a'.repeat(500)}`, 'must not be longer than 512 characters'],
        [
          'https://169.254.169.254/latest/meta-data',
          '169.254.169.254 is a link-local address (169.254.0.0/16)',
        ],
        ['http://127.0.0.1:6379/', '127.0.0.1 is a loopback address (127.0.0.0/8)'],
      ])('refuse request_uri %s (we fetch it: server-side request forgery)', (uri, why) => {
        expect(attempt(register(webClient({ jwks, request_uris: [uri] }), production))).toEqual(
          metadataError(`request_uris ${uri} ${why}`),
        );
      });
      it('refuse a request_uri that is not a URI (schema)', () => {
        expect(attempt(register(webClient({ jwks, request_uris: ['not a uri'] })))).toMatchObject({
          error: 'invalid_client_metadata',
          error_description: expect.stringMatching(/^request_uris\.0: /),
        });
      });
    });

    it('extra access token claims cannot shadow the ones we set', () => {
      expect(attempt(register(webClient({ access_token_claims: ['roles', 'sub'] })))).toEqual(
        metadataError('access_token_claims must not include the reserved claim "sub"'),
      );
    });

    it('require_pushed_authorization_requests (RFC 9126 6) only for a client that uses /authorize', () => {
      expect(
        attempt(
          register(
            webClient({
              grant_types: ['client_credentials'],
              response_types: [],
              redirect_uris: [],
              require_pushed_authorization_requests: true,
            }),
          ),
        ),
      ).toEqual(
        metadataError(
          'require_pushed_authorization_requests needs the authorization_code or implicit grant type (it governs /authorize)',
        ),
      );
      accepts(register(webClient({ require_pushed_authorization_requests: true })));
      accepts(register(nativeClient({ require_pushed_authorization_requests: true })));
      const state = stateAfter(
        register(webClient({ require_pushed_authorization_requests: true })),
      );
      expect(state).toMatchObject({
        metadata: { require_pushed_authorization_requests: true },
      });
      expect(stateAfter(register(webClient()))).toMatchObject({
        metadata: { require_pushed_authorization_requests: false },
      });
    });

    it('refresh_reuse_response (ADR 0038): one of its two values, for a client that gets refresh tokens', () => {
      const refreshing = { grant_types: ['authorization_code', 'refresh_token'] };
      for (const value of ['revoke_grant', 'end_session'] as const) {
        accepts(register(webClient({ ...refreshing, refresh_reuse_response: value })));
        expect(
          stateAfter(register(nativeClient({ ...refreshing, refresh_reuse_response: value }))),
        ).toMatchObject({ metadata: { refresh_reuse_response: value } });
      }
      for (const bad of ['logout', 'END_SESSION', '', true, ['end_session']])
        expect(
          attempt(
            register(webClient({ ...refreshing, refresh_reuse_response: bad as 'end_session' })),
          ),
        ).toMatchObject({
          error: 'invalid_client_metadata',
          error_description: expect.stringMatching(/^refresh_reuse_response: /),
        });
      expect(attempt(register(webClient({ refresh_reuse_response: 'end_session' })))).toEqual(
        metadataError('refresh_reuse_response needs the refresh_token grant type'),
      );
      // Absent: the policy is decided at use (refreshReuseResponseFor), not frozen at registration.
      expect(stateAfter(register(webClient(refreshing)))).not.toHaveProperty(
        'metadata.refresh_reuse_response',
      );
    });

    it('reports schema errors by field', () => {
      expect(attempt(register(webClient({ client_name: 'x'.repeat(201) })))).toMatchObject({
        error: 'invalid_client_metadata',
        error_description: expect.stringMatching(/^client_name: /),
      });
    });
  });
  describe('token exchange (RFC 8693)', () => {
    const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
    const service = (over: Record<string, unknown>) =>
      webClient({
        grant_types: ['client_credentials', EXCHANGE],
        response_types: [],
        redirect_uris: [],
        ...over,
      });

    it('accepts a confidential client with the grant type and a policy', () => {
      accepts(register(service({ token_exchange: { audiences: ['svc-b'], impersonation: true } })));
    });

    it('needs the grant type and the policy together, with at least one distinct target', () => {
      expect(attempt(register(service({})))).toEqual(
        metadataError('token_exchange is required with the token exchange grant type'),
      );
      expect(
        attempt(
          register(
            service({ grant_types: ['client_credentials'], token_exchange: { audiences: ['b'] } }),
          ),
        ),
      ).toEqual(metadataError('token_exchange needs the token exchange grant type in grant_types'));
      expect(attempt(register(service({ token_exchange: { audiences: [] } })))).toEqual(
        metadataError('token_exchange audiences must name at least one target'),
      );
      expect(attempt(register(service({ token_exchange: { audiences: ['b', 'b'] } })))).toEqual(
        metadataError('token_exchange audiences must not contain the same target twice'),
      );
      expect(attempt(register(service({ token_exchange: { audiences: ['a b'] } })))).toEqual(
        metadataError('token_exchange audiences must not contain spaces'),
      );
    });

    it('refuses a public client', () => {
      expect(
        attempt(
          register(
            nativeClient({
              grant_types: ['authorization_code', EXCHANGE],
              token_exchange: { audiences: ['b'] },
            }),
          ),
        ),
      ).toEqual(
        metadataError('grant_types token exchange requires an authenticated (confidential) client'),
      );
    });

    it('is set by an operator only, never by dynamic registration', () => {
      expect(
        attempt(
          register(service({ token_exchange: { audiences: ['b'] } }), {
            source: 'dynamic_registration',
            registrationTokenHash: 'h',
          }),
        ),
      ).toEqual(metadataError('token_exchange can only be set by an operator'));
    });
  });
});
