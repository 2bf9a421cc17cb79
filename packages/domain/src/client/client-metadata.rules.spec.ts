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

    it('refuse unsigned or unknown algorithms', () => {
      expect(attempt(register(webClient({ id_token_signed_response_alg: 'none' })))).toEqual(
        metadataError('id_token_signed_response_alg must be one of RS256, PS256, ES256, EdDSA'),
      );
    });

    it('extra access token claims cannot shadow the ones we set', () => {
      expect(attempt(register(webClient({ access_token_claims: ['roles', 'sub'] })))).toEqual(
        metadataError('access_token_claims must not include the reserved claim "sub"'),
      );
    });

    it('reports schema errors by field', () => {
      expect(attempt(register(webClient({ client_name: 'x'.repeat(201) })))).toMatchObject({
        error: 'invalid_client_metadata',
        error_description: expect.stringMatching(/^client_name: /),
      });
    });
  });
});
