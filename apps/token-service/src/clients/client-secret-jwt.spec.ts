import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, SignJWT, type JWK } from 'jose';
import { InMemoryReadModelCache, InMemoryReplayStore, type ReplayStore } from '@idp/cache';
import { InProcessEventBus, silentBusLogger } from '@idp/bus';
import { loadConfig, type Config } from '@idp/config';
import { clientAuthentication, type ClientAuthentication } from '@idp/contracts';
import { randomBase64url } from '@idp/crypto';
import { CommandRunner } from '@idp/eventsourcing';
import { createEventStore, type TypeOrmEventStore } from '@idp/eventstore';
import { HealthModule, InfraModule, registry, ReplayStoreModule } from '@idp/nest-kit';
import { InvalidClient, InvalidClientMetadata, OAuthError } from '@idp/oauth-errors';
import { TokenEndpoint } from '../grants/token-endpoint.service';
import { ClientSecretBox } from '../secrets/client-secret-box';
import { TokenSecrets } from '../secrets/token-secrets';
import { TokenServiceModule } from '../token-service.module';
import { AssertionReplayGuard } from './assertion-replay-guard';
import { ClientAuthenticator } from './client-authenticator';
import type { ClientJwks } from './client-jwks';
import { ClientRegistry } from './client-registry.service';

const ISSUER = 'http://localhost:3000';
const ENDPOINT = `${ISSUER}/token`;
const now = () => Math.floor(Date.now() / 1000);
const utf8 = (s: string) => new TextEncoder().encode(s);

/** An assertion as a third-party library (jose) makes it: the HMAC key is the secret's UTF-8 octets. */
async function hsAssertion(
  secret: string,
  over: {
    alg?: string;
    iss?: string;
    sub?: string;
    aud?: string | string[];
    exp?: number | null;
    jti?: string | null;
    clientId?: string;
  } = {},
): Promise<string> {
  const clientId = over.clientId ?? 'csjwt';
  const claims: Record<string, unknown> = {
    iss: over.iss ?? clientId,
    sub: over.sub ?? clientId,
    aud: over.aud ?? ENDPOINT,
    iat: now(),
  };
  if (over.exp !== null) claims['exp'] = over.exp ?? now() + 60;
  if (over.jti !== null) claims['jti'] = over.jti ?? randomBase64url(16);
  return new SignJWT(claims).setProtectedHeader({ alg: over.alg ?? 'HS256' }).sign(utf8(secret));
}

/** An HS256 JWS made by hand with node:crypto: pins the key derivation (OIDC Core 16.19) without jose. */
function handMadeHs256(secret: string, clientId: string): string {
  const enc = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc({
    iss: clientId,
    sub: clientId,
    aud: ENDPOINT,
    exp: now() + 60,
    jti: randomBase64url(16),
  })}`;
  return `${input}.${createHmac('sha256', Buffer.from(secret, 'utf8')).update(input).digest('base64url')}`;
}

const unsigned = (clientId: string) =>
  [{ alg: 'none' }, { iss: clientId, sub: clientId, aud: ENDPOINT, exp: now() + 60, jti: 'n' }]
    .map((p) => Buffer.from(JSON.stringify(p)).toString('base64url'))
    .join('.') + '.';

const csjwt = (assertion: string): ClientAuthentication => ({
  method: 'client_secret_jwt',
  assertion,
});

/**
 * client_secret_jwt (RFC 7523 2.2, OIDC Core 9) through token-service's own
 * modules over a real SQLite event store: what is accepted, every way an
 * assertion is refused (always invalid_client), and what is stored of the
 * secret (ADR 0031).
 */
describe('client_secret_jwt', () => {
  const dir = mkdtempSync(join(tmpdir(), 'client-secret-jwt-'));
  const dbFile = join(dir, 'events.sqlite');
  let app: INestApplicationContext;
  let store: TypeOrmEventStore;
  let config: Config;
  /** The ReplayStore replicas share (Redis in the distributed mode): jtis are claimed there. */
  const shared = new InMemoryReplayStore();
  let auth: ClientAuthenticator;
  let clients: ClientRegistry;
  let secret: string;
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let rsaPublicJwk: JWK;

  const authenticate = (a: ClientAuthentication) => auth.authenticate(a, ENDPOINT, ISSUER);
  async function refusal(p: Promise<unknown>): Promise<InvalidClient> {
    const err = await p.then(
      () => {
        throw new Error('expected invalid_client');
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InvalidClient);
    expect((err as InvalidClient).status).toBe(401);
    return err as InvalidClient;
  }

  beforeAll(async () => {
    rsaPublicJwk = { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256' };
    store = await createEventStore({ driver: 'sqlite', file: dbFile });
    const bus = new InProcessEventBus({ logger: silentBusLogger });
    await bus.start();
    config = loadConfig({
      PORT: '0',
      ISSUER,
      KEY_ENCRYPTION_KEY: randomBase64url(32),
      TOKEN_HASH_KEY: randomBase64url(32),
      SIGNING_KEY_ALGS: 'ES256',
    });
    @Module({
      imports: [
        InfraModule.forRoot({
          config,
          bus,
          eventStore: store,
          cache: new InMemoryReadModelCache({ sweepIntervalMs: 0 }),
        }),
        ReplayStoreModule.forRoot(shared),
        HealthModule,
        TokenServiceModule,
      ],
    })
    class TestModule {}
    app = await NestFactory.createApplicationContext(TestModule, { logger: false });
    await app.init();
    auth = app.get(ClientAuthenticator);
    clients = app.get(ClientRegistry);
    const common = { grant_types: ['client_credentials'], response_types: [], scope: 'a b' };
    const registered = await clients.register(
      { client_id: 'csjwt', token_endpoint_auth_method: 'client_secret_jwt', ...common },
      'admin',
    );
    secret = registered.secret!;
    await clients.register(
      { client_id: 'basic', token_endpoint_auth_method: 'client_secret_basic', ...common },
      'admin',
      'basic-secret-0123456789abcdef0123456789',
    );
    await clients.register(
      {
        client_id: 'pk',
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [rsaPublicJwk as Record<string, unknown>] },
        ...common,
      },
      'admin',
    );
  });
  afterAll(async () => {
    await app.close();
    registry.clear();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('accepted', () => {
    it('generates a 64-byte secret (86 octets) for a client_secret_jwt client', () => {
      expect(secret).toMatch(/^[A-Za-z0-9_-]{86}$/);
    });

    it('an HS256 assertion made by jose with the secret, audience the token endpoint', async () => {
      expect((await authenticate(csjwt(await hsAssertion(secret)))).clientId).toBe('csjwt');
    });

    it('the issuer as audience too, exactly as private_key_jwt accepts it', async () => {
      expect((await authenticate(csjwt(await hsAssertion(secret, { aud: ISSUER })))).clientId).toBe(
        'csjwt',
      );
    });

    it('HS384 and HS512: the generated secret is long enough to key both', async () => {
      for (const alg of ['HS384', 'HS512'])
        expect((await authenticate(csjwt(await hsAssertion(secret, { alg })))).clientId).toBe(
          'csjwt',
        );
    });

    it('an HS256 JWS MACed by hand with the raw UTF-8 octets of the secret (OIDC Core 16.19)', async () => {
      expect((await authenticate(csjwt(handMadeHs256(secret, 'csjwt')))).clientId).toBe('csjwt');
    });

    it('the assertion alone names the client; a client_id alongside must be the same client', async () => {
      const withId = { ...csjwt(await hsAssertion(secret)), clientId: 'csjwt' };
      expect((await authenticate(withId)).clientId).toBe('csjwt');
    });

    it('at introspection too (confidential callers only)', async () => {
      const client = await auth.authenticateConfidential(
        csjwt(await hsAssertion(secret, { aud: `${ISSUER}/introspect` })),
        `${ISSUER}/introspect`,
        ISSUER,
      );
      expect(client.clientId).toBe('csjwt');
    });

    it('gets a client_credentials token from the token endpoint', async () => {
      const res = await app.get(TokenEndpoint).handle({
        params: { grant_type: 'client_credentials', scope: 'a' },
        clientAuth: csjwt(await hsAssertion(secret)),
        endpoint: ENDPOINT,
      });
      expect(res).toMatchObject({ token_type: 'Bearer', scope: 'a' });
    });
  });

  describe('refused, always invalid_client', () => {
    it('an assertion MACed with another secret', async () => {
      const err = await refusal(authenticate(csjwt(await hsAssertion(`${secret}x`))));
      expect(err.description).toBe('client authentication failed');
    });

    it('alg none, whatever method the request claims', async () => {
      await refusal(authenticate(csjwt(unsigned('csjwt'))));
      await refusal(authenticate({ method: 'private_key_jwt', assertion: unsigned('csjwt') }));
    });

    it("an RS256 assertion for a client_secret_jwt client (the edge labels it private_key_jwt; forced through, RS256 is not on this method's list)", async () => {
      const rs = await new SignJWT({
        iss: 'csjwt',
        sub: 'csjwt',
        aud: ENDPOINT,
        exp: now() + 60,
        jti: randomBase64url(8),
      })
        .setProtectedHeader({ alg: 'RS256' })
        .sign(rsa.privateKey);
      const err = await refusal(authenticate({ method: 'private_key_jwt', assertion: rs }));
      expect(err.description).toMatch(/registered for client_secret_jwt/);
      await refusal(authenticate(csjwt(rs)));
    });

    it('an HS256 assertion for a private_key_jwt client, even MACed with its public key (alg confusion)', async () => {
      const claims = { aud: ENDPOINT, clientId: 'pk' };
      for (const key of [
        JSON.stringify(rsaPublicJwk),
        rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      ]) {
        const hs = await hsAssertion(key, claims);
        const err = await refusal(authenticate(csjwt(hs)));
        expect(err.description).toMatch(/registered for private_key_jwt/);
        await refusal(authenticate({ method: 'private_key_jwt', assertion: hs }));
      }
    });

    it('a client registered for client_secret_basic presenting a JWT MACed with its secret', async () => {
      const hs = await hsAssertion('basic-secret-0123456789abcdef0123456789', {
        clientId: 'basic',
      });
      const err = await refusal(authenticate(csjwt(hs)));
      expect(err.description).toBe(
        'client authentication failed: this client is registered for client_secret_basic, ' +
          'but the request used client_secret_jwt (a client_assertion MACed with the client secret)',
      );
    });

    it('a wrong audience', async () => {
      for (const aud of [`${ISSUER}/revoke`, 'https://other.example/token', `${ENDPOINT}/`])
        await refusal(authenticate(csjwt(await hsAssertion(secret, { aud }))));
    });

    it('iss or sub not the client', async () => {
      await refusal(authenticate(csjwt(await hsAssertion(secret, { iss: 'basic' }))));
      await refusal(authenticate(csjwt(await hsAssertion(secret, { sub: 'basic' }))));
    });

    it('expired, without exp, or living longer than 10 minutes', async () => {
      await refusal(authenticate(csjwt(await hsAssertion(secret, { exp: now() - 120 }))));
      await refusal(authenticate(csjwt(await hsAssertion(secret, { exp: null }))));
      await refusal(authenticate(csjwt(await hsAssertion(secret, { exp: now() + 3600 }))));
    });

    it('without jti', async () => {
      await refusal(authenticate(csjwt(await hsAssertion(secret, { jti: null }))));
    });

    it('a replayed jti, even in a fresh assertion', async () => {
      const jti = randomBase64url(16);
      await authenticate(csjwt(await hsAssertion(secret, { jti })));
      await refusal(authenticate(csjwt(await hsAssertion(secret, { jti }))));
      const once = await hsAssertion(secret);
      await authenticate(csjwt(once));
      await refusal(authenticate(csjwt(once)));
    });

    it('an assertion larger than the RPC contract allows (8192 characters)', async () => {
      const big = await hsAssertion(secret, { iss: 'csjwt', jti: 'x'.repeat(9000) });
      expect(clientAuthentication.safeParse(csjwt(big)).success).toBe(false);
    });
  });

  describe('token_endpoint_auth_signing_alg (OIDC Registration 2)', () => {
    let hs512Secret: string;
    beforeAll(async () => {
      hs512Secret = (
        await clients.register(
          {
            client_id: 'csjwt-512',
            token_endpoint_auth_method: 'client_secret_jwt',
            token_endpoint_auth_signing_alg: 'HS512',
            grant_types: ['client_credentials'],
            response_types: [],
          },
          'admin',
        )
      ).secret!;
    });

    it('only the registered alg is accepted', async () => {
      const as = (alg: string) => hsAssertion(hs512Secret, { alg, clientId: 'csjwt-512' });
      expect((await authenticate(csjwt(await as('HS512')))).clientId).toBe('csjwt-512');
      await refusal(authenticate(csjwt(await as('HS256'))));
    });

    it('an alg of the other method, or for a method without assertions, is invalid metadata', async () => {
      for (const [method, alg] of [
        ['client_secret_jwt', 'RS256'],
        ['private_key_jwt', 'HS256'],
        ['client_secret_basic', 'HS256'],
        ['client_secret_jwt', 'none'],
      ] as const)
        await expect(
          clients.register(
            {
              client_id: `alg-${method}-${alg}`,
              token_endpoint_auth_method: method,
              token_endpoint_auth_signing_alg: alg,
              grant_types: ['client_credentials'],
              response_types: [],
              ...(method === 'private_key_jwt'
                ? { jwks: { keys: [rsaPublicJwk as Record<string, unknown>] } }
                : {}),
            },
            'admin',
          ),
        ).rejects.toBeInstanceOf(InvalidClientMetadata);
    });

    it('a given secret shorter than an HS256 key (32 octets) is refused; HS512 needs 64', async () => {
      const base = {
        token_endpoint_auth_method: 'client_secret_jwt' as const,
        grant_types: ['client_credentials'],
        response_types: [],
      };
      await expect(
        clients.register(
          { client_id: 'short', ...base },
          'admin',
          'only-31-octets-0123456789abcdef',
        ),
      ).rejects.toBeInstanceOf(InvalidClientMetadata);
      const given = 'exactly-32-octets-0123456789abcd';
      await clients.register({ client_id: 'given-32', ...base }, 'admin', given);
      const as = (alg: string) => hsAssertion(given, { alg, clientId: 'given-32' });
      expect((await authenticate(csjwt(await as('HS256')))).clientId).toBe('given-32');
      await refusal(authenticate(csjwt(await as('HS512'))));
    });
  });

  describe('what is stored of the secret (ADR 0031)', () => {
    const eventsOf = async (clientId: string) => store.readStream(`client-${clientId}`);
    /** Every byte SQLite wrote: the events, the outbox rows the bus is fed from, the WAL. */
    const storedBytes = () =>
      Buffer.concat(
        [dbFile, `${dbFile}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f)),
      );

    it('the events hold a sealed copy and a keyed hash, never the secret', async () => {
      const [registered] = await eventsOf('csjwt');
      const data = registered!.data as { sealedSecret?: string; secretHash?: string };
      expect(data.sealedSecret).toMatch(/^[A-Za-z0-9_-]{100,}$/);
      expect(data.secretHash).toBeDefined();
      expect(JSON.stringify(await store.readAll('0', 10_000))).not.toContain(secret);
      expect(storedBytes().includes(Buffer.from(secret))).toBe(false);
      expect(storedBytes().includes(Buffer.from(data.sealedSecret!))).toBe(true);
    });

    it('other methods store the hash alone', async () => {
      const [registered] = await eventsOf('basic');
      expect(registered!.data).not.toHaveProperty('sealedSecret');
      expect(registered!.data).toHaveProperty('secretHash');
      expect(storedBytes().includes(Buffer.from('basic-secret-0123456789abcdef0123456789'))).toBe(
        false,
      );
    });

    it('rotation seals the new secret; the old one stops working at once', async () => {
      const { secret: rotated } = await clients.register(
        {
          client_id: 'rotating',
          token_endpoint_auth_method: 'client_secret_jwt',
          grant_types: ['client_credentials'],
          response_types: [],
        },
        'admin',
      );
      const { secret: fresh } = await clients.rotateSecret('rotating');
      expect(fresh).toMatch(/^[A-Za-z0-9_-]{86}$/);
      await refusal(authenticate(csjwt(await hsAssertion(rotated!, { clientId: 'rotating' }))));
      expect(
        (await authenticate(csjwt(await hsAssertion(fresh, { clientId: 'rotating' })))).clientId,
      ).toBe('rotating');
      const last = (await eventsOf('rotating')).at(-1)!;
      expect(last.type).toBe('client.secret_rotated');
      expect(last.data).toHaveProperty('sealedSecret');
      expect(storedBytes().includes(Buffer.from(fresh))).toBe(false);
    });

    it('leaving client_secret_jwt drops the sealed copy; coming back issues a new secret', async () => {
      const meta = {
        client_id: 'switching',
        grant_types: ['client_credentials'],
        response_types: [],
      };
      const first = (
        await clients.register(
          { ...meta, token_endpoint_auth_method: 'client_secret_jwt' },
          'admin',
        )
      ).secret!;
      // To client_secret_basic: the same secret keeps working there, through its hash.
      const toBasic = await clients.replace(
        { ...meta, token_endpoint_auth_method: 'client_secret_basic' },
        'admin',
      );
      expect(toBasic.secret).toBeUndefined();
      expect(toBasic.client.sealedSecret).toBeUndefined();
      expect(
        (
          await authenticate({
            method: 'client_secret_basic',
            clientId: 'switching',
            secret: first,
          })
        ).clientId,
      ).toBe('switching');
      // Back to client_secret_jwt: only a hash is left, so a new secret is generated and sealed.
      const back = await clients.replace(
        { ...meta, token_endpoint_auth_method: 'client_secret_jwt' },
        'admin',
      );
      expect(back.secret).toMatch(/^[A-Za-z0-9_-]{86}$/);
      expect(back.client.sealedSecret).toBeDefined();
      await refusal(authenticate(csjwt(await hsAssertion(first, { clientId: 'switching' }))));
      expect(
        (await authenticate(csjwt(await hsAssertion(back.secret!, { clientId: 'switching' }))))
          .clientId,
      ).toBe('switching');
    });

    it('client_secret_basic to client_secret_jwt by replace: a new secret, sealed, returned once', async () => {
      const meta = {
        client_id: 'upgrading',
        grant_types: ['client_credentials'],
        response_types: [],
      };
      await clients.register(
        { ...meta, token_endpoint_auth_method: 'client_secret_basic' },
        'admin',
        'upgrading-secret-0123456789abcdef0123',
      );
      const up = await clients.replace(
        { ...meta, token_endpoint_auth_method: 'client_secret_jwt' },
        'admin',
      );
      expect(up.secret).toMatch(/^[A-Za-z0-9_-]{86}$/);
      expect(
        (await authenticate(csjwt(await hsAssertion(up.secret!, { clientId: 'upgrading' }))))
          .clientId,
      ).toBe('upgrading');
    });
  });

  describe('other replicas: the same events, the shared store, KEY_ENCRYPTION_KEY', () => {
    /** A replica of token-service over the same events and shared store, configured with `kek`. */
    function replicaWith(kek: string, store2: ReplayStore = shared): ClientAuthenticator {
      const other = { ...config, KEY_ENCRYPTION_KEY: kek };
      const registryOf = new ClientRegistry(
        new CommandRunner(store),
        new TokenSecrets(other),
        new ClientSecretBox(other),
        other,
      );
      return new ClientAuthenticator(
        registryOf,
        new TokenSecrets(other),
        new AssertionReplayGuard(store2),
        {} as ClientJwks,
        { nowSeconds: now, nowMs: () => Date.now() } as never,
      );
    }

    it('the same key on another replica opens the sealed secret', async () => {
      const client = await replicaWith(config.KEY_ENCRYPTION_KEY!).authenticate(
        csjwt(await hsAssertion(secret)),
        ENDPOINT,
        ISSUER,
      );
      expect(client.clientId).toBe('csjwt');
    });

    it('an assertion used at one replica is a replay at another (the jti is claimed in the shared store)', async () => {
      const once = await hsAssertion(secret);
      expect((await authenticate(csjwt(once))).clientId).toBe('csjwt');
      await refusal(
        replicaWith(config.KEY_ENCRYPTION_KEY!).authenticate(csjwt(once), ENDPOINT, ISSUER),
      );
    });

    it('a replay store that cannot answer is 503 temporarily_unavailable, not invalid_client', async () => {
      const down = {
        claimOnce: () => Promise.reject(new Error('connection refused')),
        ready: () => Promise.resolve(false),
        close: () => Promise.resolve(),
      } satisfies ReplayStore;
      const err = await replicaWith(config.KEY_ENCRYPTION_KEY!, down)
        .authenticate(csjwt(await hsAssertion(secret)), ENDPOINT, ISSUER)
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err).toBeInstanceOf(OAuthError);
      expect(err).toMatchObject({ error: 'temporarily_unavailable', status: 503 });
    });

    it('another key fails closed: invalid_client, not a server error', async () => {
      const err = await refusal(
        replicaWith(randomBase64url(32)).authenticate(
          csjwt(await hsAssertion(secret)),
          ENDPOINT,
          ISSUER,
        ),
      );
      expect(err).toBeInstanceOf(OAuthError);
      expect(err.error).toBe('invalid_client');
      expect(err.description).toBe('client authentication failed');
    });
  });
});
