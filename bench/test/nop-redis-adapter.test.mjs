// The Redis adapter of the nop-redis peer (bench/lib/nop-redis-adapter.mjs)
// against the real Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379),
// under a prefix of its own, removed afterwards; then the peer itself: a
// token issued by nop-redis is still active after its process restarts (and,
// as a control, one issued by nop in-memory is not).
//
//   node --test bench/test/    (or: npm test --prefix bench)
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import Redis from 'ioredis';
import { deleteUnder, keysUnder, redisAdapter } from '../lib/nop-redis-adapter.mjs';
import { startNop } from '../lib/nop.mjs';
import { basicAuth, clientCredentials, introspect } from '../lib/oauth.mjs';
import { freePort } from '../lib/processes.mjs';
import { CC_CLIENTS, SEED } from '../lib/targets.mjs';

const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `bench:test:nop:${randomBytes(4).toString('hex')}:`;
const redis = new Redis(redisUrl);
const Adapter = redisAdapter(redis, prefix);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

after(async () => {
  await deleteUnder(redis, prefix);
  redis.disconnect();
});

describe('nop Redis adapter', () => {
  it('stores the payload as given and finds it by id, with the TTL of expiresIn', async () => {
    const tokens = new Adapter('AccessToken');
    const payload = { jti: 'at1', kind: 'AccessToken', grantId: 'g0', scope: 'openid', exp: 1 };
    await tokens.upsert('at1', payload, 60);
    assert.deepEqual(await tokens.find('at1'), payload);
    const ttl = await redis.pttl(`${prefix}model:AccessToken:at1`);
    assert.ok(ttl > 55_000 && ttl <= 60_000, `TTL ${ttl} ms`);
    // Another model with the same id is another entry.
    assert.equal(await new Adapter('RefreshToken').find('at1'), undefined);
  });

  it('forgets an entry when expiresIn has passed', async () => {
    const codes = new Adapter('AuthorizationCode');
    await codes.upsert('short', { jti: 'short' }, 1);
    assert.ok(await codes.find('short'));
    await sleep(1_200);
    assert.equal(await codes.find('short'), undefined);
  });

  it('marks an entry consumed, and a later upsert does not carry the mark over', async () => {
    const codes = new Adapter('AuthorizationCode');
    await codes.upsert('c1', { jti: 'c1' }, 60);
    assert.equal((await codes.find('c1')).consumed, undefined);
    const before = Math.floor(Date.now() / 1000);
    await codes.consume('c1');
    const consumed = (await codes.find('c1')).consumed;
    assert.ok(consumed >= before && consumed <= before + 1, `consumed ${consumed}`);
    await codes.upsert('c1', { jti: 'c1' }, 60);
    assert.equal((await codes.find('c1')).consumed, undefined);
  });

  it('does not resurrect an entry that is gone when consumed', async () => {
    const codes = new Adapter('AuthorizationCode');
    await codes.consume('never-stored');
    assert.equal(await redis.exists(`${prefix}model:AuthorizationCode:never-stored`), 0);
  });

  it('revokeByGrantId removes every token of the grant and nothing else', async () => {
    const at = new Adapter('AccessToken');
    const rt = new Adapter('RefreshToken');
    await at.upsert('g1-at', { grantId: 'g1' }, 60);
    await rt.upsert('g1-rt', { grantId: 'g1' }, 600);
    await at.upsert('g2-at', { grantId: 'g2' }, 60);
    // The grant's set lives as long as its longest member.
    assert.ok((await redis.ttl(`${prefix}grant:g1`)) > 550);
    await at.revokeByGrantId('g1');
    assert.equal(await at.find('g1-at'), undefined);
    assert.equal(await rt.find('g1-rt'), undefined);
    assert.equal(await redis.exists(`${prefix}grant:g1`), 0);
    assert.deepEqual(await at.find('g2-at'), { grantId: 'g2' });
  });

  it('destroy removes the entry and takes it out of its grant', async () => {
    const at = new Adapter('AccessToken');
    await at.upsert('g3-at', { grantId: 'g3' }, 60);
    await at.upsert('g3-at2', { grantId: 'g3' }, 60);
    await at.destroy('g3-at');
    assert.equal(await at.find('g3-at'), undefined);
    assert.deepEqual(await redis.smembers(`${prefix}grant:g3`), [
      `${prefix}model:AccessToken:g3-at2`,
    ]);
  });

  it('finds a session by uid; destroy removes the index unless a newer entry took the uid', async () => {
    const sessions = new Adapter('Session');
    await sessions.upsert('s1', { uid: 'u1', accountId: 'a' }, 60);
    assert.deepEqual(await sessions.findByUid('u1'), { uid: 'u1', accountId: 'a' });
    assert.equal(await sessions.findByUid('u-unknown'), undefined);
    await sessions.upsert('s2', { uid: 'u1', accountId: 'b' }, 60);
    await sessions.destroy('s1');
    assert.equal((await sessions.findByUid('u1')).accountId, 'b');
    await sessions.destroy('s2');
    assert.equal(await sessions.findByUid('u1'), undefined);
    assert.equal(await redis.exists(`${prefix}uid:Session:u1`), 0);
  });

  it('finds a device code by user code', async () => {
    const devices = new Adapter('DeviceCode');
    await devices.upsert('d1', { userCode: 'ABCD-EFGH', grantId: 'g4' }, 60);
    assert.deepEqual(await devices.findByUserCode('ABCD-EFGH'), {
      userCode: 'ABCD-EFGH',
      grantId: 'g4',
    });
    assert.equal(await devices.findByUserCode('ZZZZ-ZZZZ'), undefined);
  });
});

describe('the nop-redis peer', () => {
  const ctx = { options: { redisUrl } };
  const client = CC_CLIENTS.opaque;
  const authorization = basicAuth(client.client_id, client.client_secret);
  let port;
  before(async () => {
    port = await freePort();
  });

  /** Issues an opaque token, restarts the server on the same port, introspects the token. */
  async function activeAfterRestart(adapter) {
    const peerPrefix = `${prefix}peer-${adapter}:`;
    const start = () => startNop(ctx, SEED, { adapter, prefix: peerPrefix, port });
    let server = await start();
    let token;
    try {
      token = await clientCredentials(`${server.base}/token`, authorization, {
        scope: 'api:read',
      });
      const before = await introspect(`${server.base}/token/introspection`, authorization, token);
      assert.equal(before.body.active, true, JSON.stringify(before));
    } finally {
      await server.stop();
    }
    server = await start();
    try {
      const answer = await introspect(`${server.base}/token/introspection`, authorization, token);
      assert.equal(answer.status, 200, JSON.stringify(answer));
      return answer.body.active;
    } finally {
      await server.stop();
    }
  }

  it('keeps its tokens in Redis: one survives a restart of the process', async () => {
    assert.equal(await activeAfterRestart('redis'), true);
    const keys = await keysUnder(redis, `${prefix}peer-redis:`, 'model:ClientCredentials:*');
    assert.equal(keys.length, 1);
  });

  it('(control) nop in-memory forgets its tokens on a restart', async () => {
    assert.equal(await activeAfterRestart('memory'), false);
  });
});
