// A durable store for node-oidc-provider (nop): its documented adapter
// interface (one instance per model name: upsert, find, findByUid,
// findByUserCode, consume, destroy, revokeByGrantId) on Redis through
// ioredis, so the "nop-redis" peer keeps its tokens, codes, sessions and
// grants where a production deployment of nop would, one network hop away
// like ours, instead of in its own heap.
//
// Layout, every key under `prefix` (one per bench run, removed afterwards):
//   model:<Model>:<id>         hash { payload: JSON, consumed?: epoch s }, TTL = expiresIn
//   grant:<grantId>            set of the model keys issued under that grant (revokeByGrantId)
//   uid:<Model>:<uid>          → id (findByUid: sessions)
//   userCode:<Model>:<code>    → id (findByUserCode: device codes)
// `consumed` is a field of its own so consume() is one atomic write that
// cannot race an upsert's JSON (and cannot resurrect an expired entry).

/** The models nop issues under a grant (revokeByGrantId removes them all). */
const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

// Marks an entry consumed only if it still exists (HSET alone would create a
// hash without TTL for an entry that already expired).
const CONSUME = `if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.call('HSET', KEYS[1], 'consumed', ARGV[1])
end
return -1`;
// Removes an index only if it still points at the entry being destroyed (a
// newer entry may have taken the uid since).
const DEL_IF_EQUALS = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

const epochSeconds = () => Math.floor(Date.now() / 1000);

/** Throws the first error of an ioredis MULTI/pipeline result. */
function checked(results) {
  for (const [err] of results ?? []) if (err) throw err;
  return results;
}

/**
 * The adapter class for `new Provider(issuer, { adapter })`: nop constructs
 * one per model name. `redis` is an ioredis client, `prefix` the run's key
 * prefix (ending with ':').
 */
export function redisAdapter(redis, prefix) {
  if (!redis.nopConsume) {
    redis.defineCommand('nopConsume', { numberOfKeys: 1, lua: CONSUME });
    redis.defineCommand('nopDelIfEquals', { numberOfKeys: 1, lua: DEL_IF_EQUALS });
  }
  const grantKey = (grantId) => `${prefix}grant:${grantId}`;

  return class RedisAdapter {
    constructor(name) {
      this.name = name;
    }

    key(id) {
      return `${prefix}model:${this.name}:${id}`;
    }

    uidKey(uid) {
      return `${prefix}uid:${this.name}:${uid}`;
    }

    userCodeKey(userCode) {
      return `${prefix}userCode:${this.name}:${userCode}`;
    }

    async upsert(id, payload, expiresIn) {
      const key = this.key(id);
      const ttl = typeof expiresIn === 'number' && expiresIn > 0 ? Math.ceil(expiresIn) : undefined;
      const multi = redis.multi().del(key).hset(key, 'payload', JSON.stringify(payload));
      if (ttl) multi.expire(key, ttl);
      if (GRANTABLE.has(this.name) && payload.grantId) {
        const grant = grantKey(payload.grantId);
        multi.sadd(grant, key);
        // The set lives as long as its longest-lived member: NX gives a new set
        // its first TTL, GT only ever extends it.
        if (ttl) multi.expire(grant, ttl, 'NX').expire(grant, ttl, 'GT');
      }
      for (const [field, indexKey] of [
        ['uid', (v) => this.uidKey(v)],
        ['userCode', (v) => this.userCodeKey(v)],
      ]) {
        if (!payload[field]) continue;
        if (ttl) multi.set(indexKey(payload[field]), id, 'EX', ttl);
        else multi.set(indexKey(payload[field]), id);
      }
      checked(await multi.exec());
    }

    async find(id) {
      const stored = await redis.hgetall(this.key(id));
      if (!stored?.payload) return undefined;
      const payload = JSON.parse(stored.payload);
      if (stored.consumed) payload.consumed = Number(stored.consumed);
      return payload;
    }

    async findByUid(uid) {
      const id = await redis.get(this.uidKey(uid));
      return id ? this.find(id) : undefined;
    }

    async findByUserCode(userCode) {
      const id = await redis.get(this.userCodeKey(userCode));
      return id ? this.find(id) : undefined;
    }

    async consume(id) {
      await redis.nopConsume(this.key(id), epochSeconds());
    }

    async destroy(id) {
      const key = this.key(id);
      const payload = await this.find(id);
      const multi = redis.multi().del(key);
      if (payload?.uid) multi.nopDelIfEquals(this.uidKey(payload.uid), id);
      if (payload?.userCode) multi.nopDelIfEquals(this.userCodeKey(payload.userCode), id);
      if (payload?.grantId && GRANTABLE.has(this.name)) multi.srem(grantKey(payload.grantId), key);
      checked(await multi.exec());
    }

    async revokeByGrantId(grantId) {
      const grant = grantKey(grantId);
      const members = await redis.smembers(grant);
      checked(
        await redis
          .multi()
          .del(...members, grant)
          .exec(),
      );
    }
  };
}

/** Every key under `prefix` (SCAN, never KEYS: the Redis is shared). */
export async function keysUnder(redis, prefix, pattern = '*') {
  const keys = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}${pattern}`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

/** Removes every key under `prefix`; returns how many there were. */
export async function deleteUnder(redis, prefix) {
  const keys = await keysUnder(redis, prefix);
  for (let i = 0; i < keys.length; i += 500) await redis.unlink(...keys.slice(i, i + 500));
  return keys.length;
}
