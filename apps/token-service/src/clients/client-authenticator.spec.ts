import { systemClock, type ClientAuthentication } from '@idp/contracts';
import type { RegisteredClient } from '@idp/domain';
import { InvalidClient } from '@idp/oauth-errors';
import type { AssertionReplayGuard } from './assertion-replay-guard';
import { ClientAuthenticator } from './client-authenticator';
import type { ClientJwks } from './client-jwks';
import type { ClientRegistry } from './client-registry.service';
import type { TokenSecrets } from '../secrets/token-secrets';

type Method = ClientAuthentication['method'];
const METHODS: Method[] = [
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
  'private_key_jwt',
  'none',
];
const SECRET = 'the-real-secret-0123456789abcdef';
/** An unsigned JWT whose sub is the client: enough to find it (the method check comes first). */
const assertion = (sub: string) =>
  [{ alg: 'none' }, { sub, iss: sub }]
    .map((p) => Buffer.from(JSON.stringify(p)).toString('base64url'))
    .join('.') + '.';

function authWith(method: Method, clientId: string): ClientAuthentication {
  switch (method) {
    case 'client_secret_basic':
    case 'client_secret_post':
      return { method, clientId, secret: SECRET } as ClientAuthentication;
    case 'client_secret_jwt':
    case 'private_key_jwt':
      return { method, assertion: assertion(clientId) } as ClientAuthentication;
    case 'none':
      return { method, clientId } as ClientAuthentication;
  }
}

function authenticator(registered: Method | undefined, matches = true): ClientAuthenticator {
  const client =
    registered &&
    ({
      status: 'registered',
      clientId: 'app',
      metadata: { token_endpoint_auth_method: registered },
      secretHash: 'h',
    } as unknown as RegisteredClient);
  return new ClientAuthenticator(
    {
      find: async (id: string) => (id === 'app' ? client : undefined),
    } as unknown as ClientRegistry,
    { clientSecretMatches: () => matches } as unknown as TokenSecrets,
    {} as AssertionReplayGuard,
    {} as ClientJwks,
    systemClock,
  );
}

async function failure(p: Promise<unknown>): Promise<InvalidClient> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidClient);
    return err as InvalidClient;
  }
  throw new Error('expected invalid_client');
}

const PAIRS = METHODS.flatMap((registered) =>
  METHODS.filter((used) => used !== registered).map((used) => [registered, used] as const),
);

describe('ClientAuthenticator: a known client using another method than it registered', () => {
  it('covers all 20 mismatch pairs', () => expect(PAIRS).toHaveLength(20));

  it.each(PAIRS)(
    'registered %s, used %s: invalid_client naming the registered method',
    async (registered, used) => {
      const err = await failure(
        authenticator(registered).authenticate(
          authWith(used, 'app'),
          'https://i/token',
          'https://i',
        ),
      );
      expect(err.description).toBe(
        `client authentication failed: this client is registered for ${registered}, but the request used ${used} ` +
          {
            client_secret_basic: '(HTTP Basic credentials)',
            client_secret_post: '(client_secret in the form body)',
            client_secret_jwt: '(a client_assertion MACed with the client secret)',
            private_key_jwt: '(a client_assertion)',
            none: '(no client credentials)',
          }[used],
      );
      expect(err.description).not.toContain(SECRET);
      // RFC 6749 5.2: a Basic challenge when the client tried Basic.
      expect(err.headers['WWW-Authenticate'] !== undefined).toBe(used === 'client_secret_basic');
    },
  );
});

describe('ClientAuthenticator: failures that must stay generic', () => {
  it('an unknown client and a wrong secret say only "client authentication failed"', async () => {
    for (const [auth, a] of [
      [authWith('client_secret_basic', 'nobody'), authenticator('client_secret_basic')],
      [authWith('client_secret_basic', 'app'), authenticator('client_secret_basic', false)],
      [authWith('client_secret_post', 'app'), authenticator('client_secret_post', false)],
    ] as const) {
      const err = await failure(a.authenticate(auth, 'https://i/token', 'https://i'));
      expect(err.description).toBe('client authentication failed');
    }
  });

  it('the registered method with the right secret authenticates', async () => {
    const client = await authenticator('client_secret_basic').authenticate(
      authWith('client_secret_basic', 'app'),
      'https://i/token',
      'https://i',
    );
    expect(client.clientId).toBe('app');
  });
});
