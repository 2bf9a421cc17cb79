import type Redis from 'ioredis';
import { startDistributedStack, type DistributedStack } from '../support/distributed-stack';
import { eventsConsumed } from '../support/metrics';
import { deleteRedisPrefix, redisClient } from '../support/read-models';
import { runCli, waitFor } from '../support/service-process';
import {
  CLIENTS,
  clientCredentialsToken,
  introspect,
  revoke,
  writeIntrospectionSeed,
} from './introspection.fixtures';

const GROUP = 'introspection-service.read-model';

type Snapshot = Record<string, { value: string; pttl: number }>;

/**
 * The introspection read model of one deployment, as an operator sees it in
 * Redis. `reason: unknown` entries are left out: they come from read-through
 * on a miss (cached for 5 s), not from events, so no replay recreates them.
 */
async function readModel(redis: Redis, prefix: string): Promise<Snapshot> {
  const keys = [...(await redis.keys(`${prefix}introspection:*`)), `${prefix}read-model:jwks`];
  const out: Snapshot = {};
  for (const key of keys.sort()) {
    const [value, pttl] = await Promise.all([redis.get(key), redis.pttl(key)]);
    if (value === null || JSON.parse(value).reason === 'unknown') continue;
    out[key.slice(prefix.length)] = { value, pttl };
  }
  return out;
}

/**
 * Issue #4, item 7(c): Redis loses the read model mid-run. Introspection stays
 * correct on both replicas (read-through; a revoked token never comes back
 * active although its tombstone is gone), and `rebuild --flush` restores
 * exactly what live consumption had built.
 */
describe('read-model recovery: Redis flushed mid-run, then rebuilt from the event store', () => {
  let stack: DistributedStack;
  let redis: Redis;
  let prefix: string;
  const tokens: { token: string; client: { id: string; secret: string }; revoked: boolean }[] = [];

  beforeAll(async () => {
    stack = await startDistributedStack({
      name: 'rebuild',
      seedFile: writeIntrospectionSeed(),
      introspectionReplicas: 2,
    });
    redis = redisClient();
    prefix = stack.env['REDIS_KEY_PREFIX']!;
  }, 120_000);

  afterAll(async () => {
    redis?.disconnect();
    await stack?.stop();
  }, 60_000);

  /** Every token on every replica, one line each, so a failure shows which answer was wrong. */
  const answers = async (): Promise<string[]> => {
    const out: string[] = [];
    for (const [n, { token, client }] of tokens.entries()) {
      for (const [i, replica] of stack.introspection.entries()) {
        const res = await introspect(replica.url, token, client);
        out.push(`token ${n} on replica ${i}: ${res.status} active=${String(res.body['active'])}`);
      }
    }
    return out;
  };
  const expected = (): string[] =>
    tokens.flatMap(({ revoked }, n) =>
      stack.introspection.map(
        (_, i) => `token ${n} on replica ${i}: 200 active=${String(!revoked)}`,
      ),
    );

  it('answers correctly on both replicas after a flush, and rebuild restores the live read model', async () => {
    for (const client of [CLIENTS.opaque, CLIENTS.jwt]) {
      for (let i = 0; i < 3; i++) {
        tokens.push({
          token: await clientCredentialsToken(stack.auth.url, client),
          client,
          revoked: i === 0,
        });
      }
    }
    for (const t of tokens.filter((x) => x.revoked)) {
      expect(await revoke(stack.auth.url, t.token, t.client)).toBe(200);
    }
    expect(await answers()).toEqual(expected());

    // Everything consumed: 6 issues and 2 revocations (one replica or the other of the group).
    const consumed = async (type: string) =>
      (await Promise.all(stack.introspection.map((r) => eventsConsumed(r, GROUP, type)))).reduce(
        (a, b) => a + b,
      );
    await waitFor(
      'the live projection applied every event',
      async () =>
        (await consumed('grant.access_token_issued')) >= 6 &&
        (await consumed('grant.access_token_revoked')) >= 2 &&
        (await consumed('key.activated')) >= 1,
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    const live = await readModel(redis, prefix);
    const entries = Object.entries(live);
    expect(entries.filter(([k]) => k.startsWith('introspection:'))).toHaveLength(6);
    expect(
      entries.filter(([, v]) => v.value === '{"active":false,"reason":"revoked"}'),
    ).toHaveLength(2);
    expect(live['read-model:jwks']).toBeDefined();

    // Redis loses everything of this deployment: the tombstones are gone too.
    await deleteRedisPrefix(redis, prefix);
    expect(await readModel(redis, prefix)).toEqual({});
    expect(await answers()).toEqual(expected());
    expect(await answers()).toEqual(expected()); // and again, now from what read-through cached

    const rebuilt = await runCli(['read-model', 'rebuild', '--flush'], stack.env);
    expect(rebuilt.output).toMatch(
      /rebuild: erased \d+ keys, then read \d+ events, applied \d+ to the read model in \d+\.\d\d s \(\d+ events\/s\)/,
    );
    expect(rebuilt.code).toBe(0);
    const after = await readModel(redis, prefix);
    expect(Object.keys(after)).toEqual(Object.keys(live));
    const nowMs = Date.now();
    for (const [key, { value, pttl }] of Object.entries(live)) {
      expect({ key, value: after[key]!.value }).toEqual({ key, value });
      if (key === 'read-model:jwks') {
        expect(after[key]!.pttl).toBe(-1);
        continue;
      }
      // Every entry expires, and no later than the token would (exp for active
      // records; the revoked ones no later than their live tombstone did).
      expect(after[key]!.pttl).toBeGreaterThan(0);
      const record = JSON.parse(value) as { active: boolean; exp?: number };
      const limit = record.active ? record.exp! * 1000 - nowMs + 1_000 : pttl;
      expect(after[key]!.pttl).toBeLessThanOrEqual(limit);
    }
    expect(await answers()).toEqual(expected());

    // Without --flush: replayed over what is there, nothing changes.
    const again = await runCli(['read-model', 'rebuild'], stack.env);
    expect(again.code).toBe(0);
    expect(again.output).toMatch(/rebuild: read \d+ events/);
    const values = (s: Snapshot) =>
      Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v.value]));
    expect(values(await readModel(redis, prefix))).toEqual(values(live));
  }, 180_000);
});
