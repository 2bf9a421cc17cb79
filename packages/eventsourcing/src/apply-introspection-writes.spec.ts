import { CacheUnavailableError, InMemoryReadModelCache, type ReadModelCache } from '@idp/cache';
import {
  REVOKED,
  decodeRecord,
  introspectionWritesFor,
  type IntrospectionWrite,
} from '@idp/domain';
import { applyIntrospectionWrites } from './apply-introspection-writes';

const NOW_MS = 1_000_000_000_000;
const NOW = NOW_MS / 1000;
const active = (key: string, exp: number): IntrospectionWrite => ({
  key,
  record: {
    active: true,
    token_type: 'access_token',
    grant_id: 'g1',
    client_id: 'c1',
    scope: 'openid',
    iat: NOW,
    exp,
  },
  expiresAt: exp,
  ifAbsent: true,
});
const tombstone = (key: string, expiresAt: number): IntrospectionWrite => ({
  key,
  record: REVOKED,
  expiresAt,
  ifAbsent: false,
});

describe('applyIntrospectionWrites', () => {
  let now: number;
  let cache: InMemoryReadModelCache;
  beforeEach(() => {
    now = NOW_MS;
    cache = new InMemoryReadModelCache({ now: () => now, sweepIntervalMs: 0 });
  });

  it('stores an active record with a TTL that ends when the token does', async () => {
    await applyIntrospectionWrites(cache, [active('k', NOW + 60)], NOW_MS);
    expect(decodeRecord(await cache.get('k'))).toMatchObject({ active: true, exp: NOW + 60 });
    expect(await cache.ttlMs('k')).toBe(60_000);
    now += 60_000;
    expect(await cache.get('k')).toBeNull();
  });

  it('never lets an active record overwrite a tombstone (SET NX)', async () => {
    await applyIntrospectionWrites(cache, [tombstone('k', NOW + 60)], NOW_MS);
    await applyIntrospectionWrites(cache, [active('k', NOW + 60)], NOW_MS);
    expect(decodeRecord(await cache.get('k'))).toEqual(REVOKED);
  });

  it('lets a tombstone overwrite an active record (plain SET) with the token lifetime', async () => {
    await applyIntrospectionWrites(cache, [active('k', NOW + 60)], NOW_MS);
    await applyIntrospectionWrites(cache, [tombstone('k', NOW + 30)], NOW_MS);
    expect(decodeRecord(await cache.get('k'))).toEqual(REVOKED);
    expect(await cache.ttlMs('k')).toBe(30_000);
  });

  it('writes nothing for a token that has already expired', async () => {
    await applyIntrospectionWrites(cache, [active('a', NOW), tombstone('t', NOW - 1)], NOW_MS);
    expect(cache.storedEntries).toBe(0);
  });

  it('applies the tombstones of a grant revocation event, one per token', async () => {
    const writes = introspectionWritesFor({
      type: 'grant.revoked',
      data: {
        grantId: 'g1',
        clientId: 'c1',
        reason: 'client_request',
        accessTokens: [
          { jti: 'j1', tokenHash: 'h1', exp: NOW + 10 },
          { jti: 'j2', exp: NOW + 20 },
        ],
        refreshTokenHash: 'r1',
        until: NOW + 100,
      },
    } as never);
    expect(writes.length).toBe(3);
    await applyIntrospectionWrites(cache, writes, NOW_MS);
    for (const w of writes) expect(decodeRecord(await cache.get(w.key))).toEqual(REVOKED);
  });

  it('rejects when the cache fails, so a caller can fail closed', async () => {
    const broken = {
      setMany: () => Promise.reject(new CacheUnavailableError('down')),
      setIfAbsent: () => Promise.reject(new CacheUnavailableError('down')),
    } as unknown as ReadModelCache;
    await expect(
      applyIntrospectionWrites(broken, [tombstone('k', NOW + 60)], NOW_MS),
    ).rejects.toBeInstanceOf(CacheUnavailableError);
  });
});
