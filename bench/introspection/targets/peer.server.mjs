// The peer: node-oidc-provider configured as its documentation describes for
// client_credentials + RFC 7662 introspection, with its default in-memory adapter.
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const { PEER_CLIENTS } = process.env;
const clients = JSON.parse(PEER_CLIENTS); // [{ client_id, client_secret, format }]
const RESOURCE = 'urn:bench:api';
const jwtClients = new Set(clients.filter((c) => c.format === 'jwt').map((c) => c.client_id));

const jwk = (type, opts, alg) => ({
  ...generateKeyPairSync(type, opts).privateKey.export({ format: 'jwk' }),
  alg,
  use: 'sig',
  kid: alg,
});

const server = createServer();
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const provider = new Provider(`http://127.0.0.1:${port}`, {
    // No `adapter`: the default in-memory one.
    clients: clients.map(({ client_id, client_secret }) => ({
      client_id,
      client_secret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'api:read',
    })),
    scopes: ['api:read'],
    // RS256 for ID tokens (OIDC requires it), ES256 for the JWT access tokens.
    jwks: {
      keys: [
        jwk('rsa', { modulusLength: 2048 }, 'RS256'),
        jwk('ec', { namedCurve: 'P-256' }, 'ES256'),
      ],
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        // A client may introspect the tokens issued to it.
        allowedPolicy: (ctx, client, token) => token.clientId === client.clientId,
      },
      resourceIndicators: {
        enabled: true,
        // The JWT client's tokens are for one resource server, whose format is 'jwt';
        // the opaque client's tokens carry no resource and stay opaque (the default).
        defaultResource: (ctx, client) => (jwtClients.has(client.clientId) ? RESOURCE : undefined),
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'api:read',
          audience: RESOURCE,
          accessTokenTTL: 3600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
  });
  server.on('request', provider.callback());
  process.send({ ready: { port, introspectionPath: '/token/introspection' } });
});

process.on('SIGTERM', () => {
  server.close();
  process.exit(0);
});
