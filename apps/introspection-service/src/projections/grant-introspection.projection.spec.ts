import { AccessTokenIssued, GrantRevoked, type DomainEvent, freshEventMeta } from '@idp/contracts';
import { InMemoryCacheInvalidations, InMemoryReadModelCache } from '@idp/cache';
import { decodeRecord, REVOKED } from '@idp/domain';
import { ClientInvalidationProjection } from './client-invalidation.projection';
import { GrantIntrospectionProjection } from './grant-introspection.projection';
import { CLIENT_INVALIDATION_CHANNEL } from '../introspection/caller-authenticator';

const NOW = Math.floor(Date.now() / 1000);
// A new id per event: ids are unique in the store.
const meta = () => freshEventMeta('c-1');
const event = (e: unknown) => ({ ...(e as object), streamVersion: 1 }) as unknown as DomainEvent;
const hash = 'h'.repeat(43);
const issued = event(
  AccessTokenIssued.create(
    {
      grantId: 'g1',
      jti: 'j1',
      tokenHash: hash,
      format: 'opaque',
      clientId: 'web',
      sub: 'alice',
      scope: 'api.read',
      aud: ['https://api.example'],
      iat: NOW,
      exp: NOW + 300,
      extraClaims: {},
    },
    meta(),
  ),
);
const revoked = event(
  GrantRevoked.create(
    {
      grantId: 'g1',
      clientId: 'web',
      reason: 'client_request',
      until: NOW + 300,
      accessTokens: [{ jti: 'j1', tokenHash: hash, exp: NOW + 300 }],
    },
    meta(),
  ),
);
const key = `introspection:at:${hash}`;

describe('GrantIntrospectionProjection', () => {
  it('stores an issued token until it expires', async () => {
    const cache = new InMemoryReadModelCache({ sweepIntervalMs: 0 });
    await new GrantIntrospectionProjection(cache).apply(issued);
    expect(decodeRecord(await cache.get(key))).toMatchObject({ active: true, client_id: 'web' });
    expect(await cache.ttlMs(key)).toBeLessThanOrEqual(300_000);
  });

  it('is idempotent, and a redelivered issue event never resurrects a revoked token', async () => {
    const cache = new InMemoryReadModelCache({ sweepIntervalMs: 0 });
    const projection = new GrantIntrospectionProjection(cache);
    for (const e of [issued, issued, revoked, issued, revoked, issued]) await projection.apply(e);
    expect(decodeRecord(await cache.get(key))).toEqual(REVOKED);
  });

  it('rejects when the cache fails, so the bus retries the event', async () => {
    const cache = new InMemoryReadModelCache({ sweepIntervalMs: 0 });
    jest.spyOn(cache, 'setMany').mockRejectedValue(new Error('redis down'));
    await expect(new GrantIntrospectionProjection(cache).apply(revoked)).rejects.toThrow();
  });
});

describe('ClientInvalidationProjection', () => {
  it('announces every client event to all replicas', async () => {
    const bus = new InMemoryCacheInvalidations();
    const heard: string[] = [];
    await bus.subscribe(CLIENT_INVALIDATION_CHANNEL, (m) => heard.push(m));
    const projection = new ClientInvalidationProjection(bus);
    await projection.apply({ type: 'client.secret_rotated', data: { clientId: 'rs' } } as never);
    await projection.apply({ type: 'client.deleted', data: { clientId: 'web' } } as never);
    expect(heard).toEqual(['client:rs', 'client:web']);
    await bus.close();
  });
});
