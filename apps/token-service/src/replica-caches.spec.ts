import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from '@idp/crypto';
import { loadConfig, type Config } from '@idp/config';
import { createEventStore, type EventStore } from '@idp/eventstore';
import { CommandRunner } from '@idp/eventsourcing';
import { ClientRegistry } from './clients/client-registry.service';
import { KeyRingService } from './keys/key-ring.service';
import { ClientSecretBox } from './secrets/client-secret-box';
import { TokenSecrets } from './secrets/token-secrets';

const CACHE_MS = 1_000;

/**
 * Two token-service replicas over one event store (ADR 0012): each keeps
 * clients and the key ring for CLIENT_CACHE_MS, reads its own writes at
 * once, and sees the other's within that time.
 */
describe('replicas sharing one event store', () => {
  let dir: string;
  let store: EventStore;
  let config: Config;
  const replica = () => {
    const runner = new CommandRunner(store);
    const secrets = new TokenSecrets(config);
    return {
      clients: new ClientRegistry(runner, secrets, new ClientSecretBox(config), config),
      keys: new KeyRingService(runner, config),
    };
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'replica-caches-'));
    store = await createEventStore({ driver: 'sqlite', file: join(dir, 'events.db') });
    config = loadConfig({
      PORT: '0',
      KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
      TOKEN_HASH_KEY: randomBytes(32).toString('base64url'),
      SIGNING_KEY_ALGS: 'ES256',
      CLIENT_CACHE_MS: String(CACHE_MS),
    });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a rotated client secret stops working at once on this replica, within CLIENT_CACHE_MS on the other', async () => {
    const [a, b] = [replica(), replica()];
    const { secret: first } = await a.clients.register(
      {
        client_id: 'rp',
        redirect_uris: ['https://rp.example/cb'],
        token_endpoint_auth_method: 'client_secret_basic',
      } as never,
      'admin',
    );
    const seenByB = await b.clients.find('rp');
    expect(seenByB && b.clients.secretMatches(seenByB, first!)).toBe(true);

    const { secret: second } = await a.clients.rotateSecret('rp');
    const atA = await a.clients.find('rp');
    expect(a.clients.secretMatches(atA!, first!)).toBe(false);
    expect(a.clients.secretMatches(atA!, second)).toBe(true);

    await sleep(CACHE_MS + 50);
    const atB = await b.clients.find('rp');
    expect(b.clients.secretMatches(atB!, first!)).toBe(false);
    expect(b.clients.secretMatches(atB!, second)).toBe(true);
  });

  it('a deleted client is gone at once here and after CLIENT_CACHE_MS everywhere', async () => {
    const [a, b] = [replica(), replica()];
    await a.clients.register(
      { client_id: 'gone', redirect_uris: ['https://g.example/cb'] } as never,
      'admin',
    );
    expect(await b.clients.find('gone')).toBeDefined();
    await a.clients.remove('gone');
    expect(await a.clients.find('gone')).toBeUndefined();
    const waited = Date.now();
    await a.clients.untilEveryReplicaSees();
    expect(Date.now() - waited).toBeGreaterThanOrEqual(CACHE_MS - 5);
    expect(await b.clients.find('gone')).toBeUndefined();
    expect(await b.clients.exists('gone')).toBe(true);
  });

  it('after a rotation elsewhere, fresh JWKS show the new key at once and signing moves within CLIENT_CACHE_MS', async () => {
    const [a, b, c] = [replica(), replica(), replica()];
    await a.keys.onApplicationBootstrap();
    const before = await b.keys.signingKey('ES256');
    await c.keys.publicJwks();
    const kid = await a.keys.rotate('ES256', 3600);
    expect((await a.keys.signingKey('ES256')).kid).toBe(kid);

    // c meets a token with the new kid: a fresh read finds the key at once.
    expect((await c.keys.publicJwks()).keys.map((k) => k['kid'])).not.toContain(kid);
    const fresh = (await c.keys.publicJwks(true)).keys.map((k) => k['kid']);
    expect(fresh).toEqual(expect.arrayContaining([before.kid, kid]));

    await sleep(CACHE_MS + 50);
    expect((await b.keys.signingKey('ES256')).kid).toBe(kid);
  });
});
