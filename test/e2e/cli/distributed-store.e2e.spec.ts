import Redis from 'ioredis';
import { KEY_RING_STREAM } from '@idp/domain';
import { dropSchema, isolatedEnv, REDIS_URL } from '../support/infra';
import { idp } from './cli.support';

interface KeyRow {
  kid: string;
  alg: string;
  state: string;
  ageSeconds: number;
}

/**
 * The store-level commands against a distributed token-service schema of
 * its own (PostgreSQL, Kafka, Redis), no service running: migrate, keys
 * rotate and list, events tail while a rotation happens, read-model rebuild.
 */
describe('idp store commands (distributed: PostgreSQL, Kafka, Redis)', () => {
  const { env: isolated } = isolatedEnv('cli');
  const env: NodeJS.ProcessEnv = { ...isolated };
  const redis = new Redis(REDIS_URL);

  afterAll(async () => {
    const keys = await redis.keys(`${isolated.REDIS_KEY_PREFIX}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await dropSchema(isolated.DATABASE_SCHEMA);
  });

  const listKeys = async () => {
    const r = await idp(['keys', 'list', '--json'], env);
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout) as KeyRow[];
  };

  it('migrate creates both schemas, and is safe to repeat', async () => {
    const pg = new URL(isolated.DATABASE_URL);
    for (let i = 0; i < 2; i++) {
      const r = await idp(['migrate'], env);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(
        `event store: schema up to date (PostgreSQL ${pg.host}${pg.pathname} schema ${isolated.DATABASE_SCHEMA})\n` +
          'delivery store: schema up to date\n',
      );
    }
    expect(await listKeys()).toEqual([]);
  }, 60_000);

  it('keys rotate: like a token-service start it first creates the missing keys, then rotates; keys list shows the ring', async () => {
    const first = await idp(['keys', 'rotate', 'ES256', '--grace-seconds', '600'], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const kid1 = /^rotated ES256: new key (\S+) is active/.exec(first.stdout)![1]!;
    // SIGNING_KEY_ALGS (RS256, ES256) got their first keys; the ES256 one was then rotated out.
    const ring = await listKeys();
    expect(ring.map((k) => [k.alg, k.state])).toEqual([
      ['RS256', 'active'],
      ['ES256', 'retired'],
      ['ES256', 'active'],
    ]);
    expect(ring[2]!.kid).toBe(kid1);

    // events tail, started before the second rotation, prints its key.activated event.
    const controller = new AbortController();
    let following!: () => void;
    const started = new Promise<void>((resolve) => (following = resolve));
    let seen!: () => void;
    const printed = new Promise<void>((resolve) => (seen = resolve));
    const tail = idp(['events', 'tail', '--type', 'key.activated', '--interval-ms', '50'], env, {
      signal: controller.signal,
      onStderr: (text) => text.includes('following') && following(),
      onStdout: (text) => text.includes('\n') && seen(),
    });
    await started;

    const second = await idp(['keys', 'rotate', 'ES256'], env);
    expect(second.code).toBe(0);
    const kid2 = /new key (\S+) is active/.exec(second.stdout)![1]!;
    await printed;
    controller.abort();
    const tailed = await tail;
    expect(tailed.code).toBe(0);
    const lines = tailed.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([
      expect.objectContaining({
        type: 'key.activated',
        stream: KEY_RING_STREAM,
        data: expect.objectContaining({ kid: kid2 }),
      }),
    ]);

    const keys = await listKeys();
    expect(keys.slice(2).map((k) => [k.kid, k.state])).toEqual([
      [kid1, 'retired'],
      [kid2, 'active'],
    ]);
    const table = await idp(['keys', 'list'], env);
    expect(table.stdout).toMatch(new RegExp(`\\n${kid1} +ES256 +retired +\\d+s +\\d{4}-`));
    expect(table.stdout).not.toMatch(/"d"|encryptedPrivateJwk/);
  }, 60_000);

  it('read-model rebuild --flush projects the key ring into Redis; a second run changes nothing', async () => {
    const r = await idp(['read-model', 'rebuild', '--flush'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^rebuild: erased \d+ keys, then read 10 events, applied 10 to the read model in \d+\.\d\d s \(\d+ events\/s\)\n$/,
    );
    const jwks = await redis.get(`${isolated.REDIS_KEY_PREFIX}read-model:jwks`);
    expect(jwks).toContain('"ES256"');
    const again = await idp(['read-model', 'rebuild'], env);
    expect(again.stdout).toMatch(/^rebuild: read 10 events, applied 10 /);
    expect(await redis.get(`${isolated.REDIS_KEY_PREFIX}read-model:jwks`)).toBe(jwks);
  }, 60_000);

  it('a store command against a schema nobody migrated fails on one line', async () => {
    const r = await idp(['keys', 'list'], { ...env, DATABASE_SCHEMA: 'cli_never_migrated' });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^idp keys list: /);
  });
});
