import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Global, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  AccessTokenIssued,
  AuthorizationCodeRedeemed,
  AccessTokenRevoked,
  ClientSecretRotated,
  type DomainEvent,
  GrantRevoked,
  type PendingEvent,
  RefreshTokenIssued,
  SigningKeyActivated,
  SigningKeyGenerated,
  freshEventMeta,
} from '@idp/contracts';
import {
  type CacheEntry,
  CACHE_INVALIDATIONS,
  InMemoryCacheInvalidations,
  InMemoryReadModelCache,
  READ_MODEL_CACHE,
} from '@idp/cache';
import { createEventStore, type EventStore } from '@idp/eventstore';
import type { Projector } from '@idp/eventsourcing';
import { ProjectionsModule } from '../projections/projections.module';
import { INTROSPECTION_PROJECTOR } from '../projections/projections.module.tokens';
import { describeRebuild, rebuildReadModel } from './read-model-rebuild';

/** The in-memory cache, remembering every key ever written so a test can list them all. */
class ListableCache extends InMemoryReadModelCache {
  readonly written = new Set<string>();
  constructor() {
    super({ sweepIntervalMs: 0 });
  }
  override set(key: string, value: string, ttlMs?: number) {
    this.written.add(key);
    return super.set(key, value, ttlMs);
  }
  override setMany(entries: readonly CacheEntry[]) {
    entries.forEach((e) => this.written.add(e.key));
    return super.setMany(entries);
  }
  override setIfAbsent(key: string, value: string, ttlMs?: number) {
    this.written.add(key);
    return super.setIfAbsent(key, value, ttlMs);
  }
  /** Every live key with its value and remaining TTL. */
  async contents(): Promise<Record<string, { value: string; ttlMs: number | null }>> {
    const out: Record<string, { value: string; ttlMs: number | null }> = {};
    for (const key of [...this.written].sort()) {
      const value = await this.get(key);
      if (value !== null) out[key] = { value, ttlMs: await this.ttlMs(key) };
    }
    return out;
  }
}

/** The projector exactly as introspection-service wires it (ProjectionsModule), over `cache`. */
async function projectorOver(cache: ListableCache): Promise<Projector> {
  @Global()
  @Module({
    providers: [
      { provide: READ_MODEL_CACHE, useValue: cache },
      { provide: CACHE_INVALIDATIONS, useValue: new InMemoryCacheInvalidations() },
    ],
    exports: [READ_MODEL_CACHE, CACHE_INVALIDATIONS],
  })
  class Adapters {}
  const moduleRef = await Test.createTestingModule({
    imports: [Adapters, ProjectionsModule],
  }).compile();
  return moduleRef.get<Projector>(INTROSPECTION_PROJECTOR);
}

const NOW = Math.floor(Date.now() / 1000);
// A new id per event: ids are unique in the store.
const meta = () => freshEventMeta('c-1');
const hash = (c: string) => c.repeat(43);
const jwk = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'k1', alg: 'ES256' };
const at = (grantId: string, jti: string, format: 'opaque' | 'jwt', exp: number) =>
  AccessTokenIssued.create(
    {
      grantId,
      jti,
      ...(format === 'opaque' ? { tokenHash: hash(jti.slice(-1)) } : {}),
      format,
      clientId: 'web',
      sub: 'alice',
      sid: 's1',
      scope: 'openid api.read',
      aud: ['https://api.example'],
      iat: NOW - 10,
      exp,
      extraClaims: grantId === 'g2' ? { roles: ['admin'] } : {},
    },
    meta(),
  );

/** What grant g1 had live when it was revoked: its opaque and its JWT access token. */
const G1_ACCESS_TOKENS = [
  { jti: 'jti-1', tokenHash: hash('1'), exp: NOW + 300 },
  { jti: 'jti-2', exp: NOW + 300 },
];

/** A recorded history: keys, three grants with opaque/JWT/refresh tokens, revocations, a client change. */
const HISTORY: [string, PendingEvent[]][] = [
  [
    'key-k1',
    [
      SigningKeyGenerated.create(
        { kid: 'k1', alg: 'ES256', publicJwk: jwk, encryptedPrivateJwk: 'jwe', createdAt: NOW },
        meta(),
      ),
      SigningKeyActivated.create({ kid: 'k1', alg: 'ES256', activatedAt: NOW }, meta()),
    ],
  ],
  [
    'grant-g1',
    [
      // Not an introspection event: read, not applied.
      AuthorizationCodeRedeemed.create(
        { grantId: 'g1', codeHash: hash('c'), clientId: 'web' },
        meta(),
      ),
      at('g1', 'jti-1', 'opaque', NOW + 300),
      RefreshTokenIssued.create(
        {
          grantId: 'g1',
          tokenHash: hash('r'),
          clientId: 'web',
          sub: 'alice',
          sid: 's1',
          scope: 'openid api.read',
          iat: NOW - 10,
          exp: NOW + 3600,
        },
        meta(),
      ),
      at('g1', 'jti-2', 'jwt', NOW + 300),
    ],
  ],
  ['grant-g2', [at('g2', 'jti-3', 'jwt', NOW + 600), at('g2', 'jti-4', 'opaque', NOW + 600)]],
  ['grant-g3', [at('g3', 'jti-5', 'opaque', NOW - 1)]], // already expired: never stored
  [
    'grant-g2',
    [
      AccessTokenRevoked.create(
        { grantId: 'g2', jti: 'jti-3', clientId: 'web', exp: NOW + 600, reason: 'client_request' },
        meta(),
      ),
    ],
  ],
  [
    'grant-g1',
    [
      GrantRevoked.create(
        {
          grantId: 'g1',
          clientId: 'web',
          sub: 'alice',
          reason: 'refresh_token_reuse',
          until: NOW + 3600,
          accessTokens: G1_ACCESS_TOKENS,
          refreshTokenHash: hash('r'),
        },
        meta(),
      ),
    ],
  ],
  ['client-web', [ClientSecretRotated.create({ clientId: 'web', secretHash: 'h' }, meta())]],
];

describe('rebuildReadModel', () => {
  let dir: string;
  let store: EventStore;
  let recorded: DomainEvent[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'idp-rebuild-'));
    store = await createEventStore({ driver: 'sqlite', file: join(dir, 'events.sqlite') });
    for (const [stream, events] of HISTORY) await store.append(stream, 'any', events);
    recorded = (await store.readAll('0', 1_000)) as unknown as DomainEvent[];
  });

  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Live consumption as Kafka may deliver it: topics interleaved differently, every event twice. */
  async function liveReadModel(): Promise<ListableCache> {
    const cache = new ListableCache();
    const projector = await projectorOver(cache);
    const grants = recorded.filter((e) => e.type.startsWith('grant.'));
    const others = recorded.filter((e) => !e.type.startsWith('grant.'));
    for (const e of [...grants, ...others]) {
      await projector.apply(e);
      await projector.apply(e);
    }
    return cache;
  }

  it('gives exactly the entries the live projection gives: every key, value and expiry', async () => {
    const live = await (await liveReadModel()).contents();
    const replayed = new ListableCache();
    const report = await rebuildReadModel(store, await projectorOver(replayed), { batchSize: 3 });

    expect(report).toMatchObject({ events: 12, applied: 11 });
    const rebuilt = await replayed.contents();
    expect(Object.keys(rebuilt)).toEqual(Object.keys(live));
    expect(Object.keys(rebuilt)).toEqual([
      `introspection:at:${hash('1')}`,
      `introspection:at:${hash('4')}`,
      'introspection:jti:jti-2',
      'introspection:jti:jti-3',
      `introspection:rt:${hash('r')}`,
      'read-model:jwks',
    ]);
    for (const [key, { value, ttlMs }] of Object.entries(live)) {
      expect({ key, value: rebuilt[key]!.value }).toEqual({ key, value });
      if (ttlMs === -1) expect(rebuilt[key]!.ttlMs).toBe(-1);
      else expect(Math.abs(rebuilt[key]!.ttlMs! - ttlMs!)).toBeLessThan(5_000);
    }
    expect(JSON.parse(rebuilt[`introspection:at:${hash('1')}`]!.value)).toEqual({
      active: false,
      reason: 'revoked',
    });
    expect(JSON.parse(rebuilt[`introspection:at:${hash('4')}`]!.value)).toMatchObject({
      active: true,
      extra_claims: { roles: ['admin'] },
    });
    expect(describeRebuild(report)).toMatch(
      /^read 12 events, applied 11 to the read model in \d+\.\d\d s \(\d+ events\/s\)$/,
    );
  });

  it('replays over an existing read model without changing it (no --flush)', async () => {
    const live = await liveReadModel();
    const before = await live.contents();
    await rebuildReadModel(store, await projectorOver(live));
    const after = await live.contents();
    expect(Object.keys(after)).toEqual(Object.keys(before));
    for (const key of Object.keys(before)) expect(after[key]!.value).toBe(before[key]!.value);
  });

  it('erases first when asked, and reports how many keys went', async () => {
    const cache = new ListableCache();
    const eraser = { erase: jest.fn(async () => 7) };
    const report = await rebuildReadModel(store, await projectorOver(cache), {
      eraser,
      clock: jest.fn().mockReturnValueOnce(0).mockReturnValueOnce(2_000),
    });
    expect(eraser.erase).toHaveBeenCalledTimes(1);
    expect(describeRebuild(report)).toBe(
      'erased 7 keys, then read 12 events, applied 11 to the read model in 2.00 s (6 events/s)',
    );
  });

  it('refuses an empty event store before erasing anything (a wrong schema, not an empty history)', async () => {
    const empty = await createEventStore({ driver: 'sqlite', file: join(dir, 'empty.sqlite') });
    const eraser = { erase: jest.fn(async () => 0) };
    await expect(
      rebuildReadModel(empty, await projectorOver(new ListableCache()), { eraser }),
    ).rejects.toThrow('the event store holds no events');
    expect(eraser.erase).not.toHaveBeenCalled();
    await empty.close();
  });

  it('rejects when a projection fails, so the CLI exits non-zero', async () => {
    const cache = new ListableCache();
    jest.spyOn(cache, 'setMany').mockRejectedValue(new Error('redis down'));
    await expect(rebuildReadModel(store, await projectorOver(cache))).rejects.toThrow('redis down');
  });
});
