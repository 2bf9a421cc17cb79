// The Keycloak realm the bench imports (kc.sh start --import-realm), built
// from the same seed as ours and node-oidc-provider (bench/lib/targets.mjs
// SEED): the same client ids, secrets, redirect URI, scopes, user, password
// and claims, so every row asks Keycloak for the same thing it asks the
// others. What has no Keycloak equivalent is said where it is dropped.

/** The realm's name: its endpoints are under /realms/<REALM>/. */
export const REALM = 'bench';

// Keycloak creates its built-in client scopes (profile, email, roles, ...)
// only for a realm imported without `clientScopes`, so the realm lists the
// ones the clients use, with the protocol mappers that give our claims.
const mapper = (name, protocolMapper, config) => ({
  name,
  protocol: 'openid-connect',
  protocolMapper,
  consentRequired: false,
  config,
});
const userProperty = (name, property, claim) =>
  mapper(name, 'oidc-usermodel-property-mapper', {
    'user.attribute': property,
    'claim.name': claim,
    'jsonType.label': claim === 'email_verified' ? 'boolean' : 'String',
    'id.token.claim': 'true',
    'access.token.claim': 'true',
    'userinfo.token.claim': 'true',
    'introspection.token.claim': 'true',
  });
const scope = (name, protocolMappers = [], attributes = {}) => ({
  name,
  protocol: 'openid-connect',
  attributes: {
    'include.in.token.scope': 'true',
    'display.on.consent.screen': 'false',
    ...attributes,
  },
  protocolMappers,
});
const claimsToken = {
  'id.token.claim': 'true',
  'access.token.claim': 'true',
  'userinfo.token.claim': 'true',
  'introspection.token.claim': 'true',
};
const CLIENT_SCOPES = [
  // `sub` (and auth_time) in every token: what Keycloak's own "basic" scope does.
  scope('basic', [mapper('sub', 'oidc-sub-mapper', claimsToken)], {
    'include.in.token.scope': 'false',
  }),
  scope('profile', [mapper('full name', 'oidc-full-name-mapper', claimsToken)]),
  scope('email', [
    userProperty('email', 'email', 'email'),
    userProperty('email verified', 'emailVerified', 'email_verified'),
  ]),
  scope('offline_access'),
  scope('api:read'),
];
// Every client gets `basic`; which of the others it gets by default or on request.
const DEFAULT_SCOPES = ['basic'];

const secretOf = (client) => client.client_secret;

// Keycloak answers an introspection active only when the calling client is
// in the token's audience; ours and node-oidc-provider let a client
// introspect its own tokens, so each client's tokens carry its own id in `aud`.
const ownAudience = (clientId) =>
  mapper('own audience', 'oidc-audience-mapper', {
    'included.client.audience': clientId,
    'id.token.claim': 'false',
    'access.token.claim': 'true',
    'introspection.token.claim': 'true',
  });

/**
 * What every bench client is in Keycloak: confidential, authenticated by its
 * secret, one grant (`serviceAccount`: client_credentials, else the code
 * flow), no implicit or password grant, only the scopes it is given, and its
 * own id in `aud`. The two kinds below differ only in what they pass here.
 */
function confidentialClient(
  c,
  { serviceAccount, defaultScopes, optionalScopes, attributes, ...more },
) {
  return {
    clientId: c.client_id,
    enabled: true,
    protocol: 'openid-connect',
    publicClient: false,
    clientAuthenticatorType: 'client-secret',
    secret: secretOf(c),
    serviceAccountsEnabled: serviceAccount,
    standardFlowEnabled: !serviceAccount,
    implicitFlowEnabled: false,
    directAccessGrantsEnabled: false,
    fullScopeAllowed: false,
    protocolMappers: [ownAudience(c.client_id)],
    defaultClientScopes: [...DEFAULT_SCOPES, ...defaultScopes],
    optionalClientScopes: optionalScopes,
    attributes,
    ...more,
  };
}

/** A client_credentials client: its service account gets the token. */
function serviceClient(c) {
  return confidentialClient(c, {
    serviceAccount: true,
    defaultScopes: [],
    optionalScopes: c.scope.split(' '),
    attributes: {
      // Keycloak's access tokens are always JWTs: the alg is all there is to choose.
      ...(c.access_token_signed_response_alg && {
        'access.token.signed.response.alg': c.access_token_signed_response_alg,
      }),
    },
  });
}

/** A code-flow client: PKCE S256 required, no consent, refresh tokens on. */
function webClient(c) {
  const scopes = c.scope.split(' ').filter((s) => s !== 'openid');
  return confidentialClient(c, {
    serviceAccount: false,
    defaultScopes: scopes.filter((s) => s !== 'offline_access'),
    optionalScopes: scopes.filter((s) => s === 'offline_access'),
    attributes: {
      'pkce.code.challenge.method': 'S256',
      'use.refresh.tokens': 'true',
      ...(c.id_token_signed_response_alg && {
        'id.token.signed.response.alg': c.id_token_signed_response_alg,
      }),
    },
    redirectUris: c.redirect_uris,
    consentRequired: false, // ours: skip_consent
  });
}

function user(u) {
  // Keycloak's user profile has first and last names; its `name` claim joins them.
  const [firstName, ...rest] = (u.claims?.name ?? u.username).split(' ');
  return {
    id: u.sub, // Keycloak's `sub` is the user's id: the same sub as ours
    username: u.username,
    enabled: true,
    firstName,
    lastName: rest.join(' ') || firstName,
    email: u.claims?.email,
    emailVerified: u.claims?.email_verified ?? false,
    credentials: [{ type: 'password', value: u.password, temporary: false }],
    realmRoles: [OFFLINE_ACCESS], // Keycloak issues offline (offline_access) refresh tokens only to holders of this role
    requiredActions: [],
  };
}

// The realm role Keycloak requires of a user, and in the client's scope, for an offline_access refresh token.
const OFFLINE_ACCESS = 'offline_access';

const keyProvider = (name, providerId, config) => ({
  name,
  providerId,
  subComponents: {},
  config: Object.fromEntries(
    Object.entries({ priority: '100', enabled: 'true', active: 'true', ...config }).map(
      ([k, v]) => [k, [v]],
    ),
  ),
});

/** The realm representation for `seed` ({ clients, users } as bench/lib/targets.mjs SEED). */
export function realmFor(seed) {
  const isService = (c) => c.grant_types.includes('client_credentials');
  return {
    realm: REALM,
    enabled: true,
    sslRequired: 'none', // plain HTTP on loopback, as every other target
    bruteForceProtected: false, // one user logging in thousands of times a second
    registrationAllowed: false,
    loginWithEmailAllowed: false,
    // Refresh-token rotation as ours: every refresh returns a new token and the old one is refused.
    revokeRefreshToken: true,
    refreshTokenMaxReuse: 0,
    // Keys: the RS256 and ES256 (P-256) signing keys the clients ask for, and
    // the HMAC and AES keys Keycloak signs and encrypts its own cookies and codes with.
    components: {
      'org.keycloak.keys.KeyProvider': [
        keyProvider('rsa-generated', 'rsa-generated', { keySize: '2048', algorithm: 'RS256' }),
        keyProvider('ecdsa-p256-generated', 'ecdsa-generated', { ecdsaEllipticCurveKey: 'P-256' }),
        keyProvider('hmac-generated', 'hmac-generated', { algorithm: 'HS512' }),
        keyProvider('aes-generated', 'aes-generated', {}),
      ],
    },
    roles: { realm: [{ name: OFFLINE_ACCESS }] },
    clientScopes: CLIENT_SCOPES,
    scopeMappings: [{ clientScope: 'offline_access', roles: [OFFLINE_ACCESS] }],
    defaultDefaultClientScopes: DEFAULT_SCOPES,
    defaultOptionalClientScopes: [],
    clients: seed.clients.map((c) => (isService(c) ? serviceClient(c) : webClient(c))),
    users: (seed.users ?? []).map(user),
  };
}
