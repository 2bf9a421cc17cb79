import { setTimeout as sleep } from 'node:timers/promises';
import type { ReplayStore } from '@idp/cache';

export interface ReplayStoreFixture {
  /** Two connections to one store, as two replicas have. */
  readonly stores: readonly [ReplayStore, ReplayStore];
  /** Lets `ms` pass: the in-memory adapter moves its clock; omitted, the suite sleeps. */
  readonly advance?: (ms: number) => Promise<void>;
  readonly cleanup: () => Promise<void>;
}

/** Behaviour every ReplayStore adapter must have (DPoP jti replay, ADR 0027). */
export function replayStoreContract(name: string, make: () => Promise<ReplayStoreFixture>): void {
  describe(`ReplayStore contract: ${name}`, () => {
    let fixture: ReplayStoreFixture;
    beforeEach(async () => {
      fixture = await make();
    });
    afterEach(() => fixture.cleanup());

    it('accepts a key once, then refuses it while the claim lasts', async () => {
      const [s] = fixture.stores;
      expect(await s.claimOnce('a', 10_000)).toBe(true);
      expect(await s.claimOnce('a', 10_000)).toBe(false);
      expect(await s.claimOnce('b', 10_000)).toBe(true);
    });

    it('a claim made through one connection (replica) is refused through the other', async () => {
      const [one, two] = fixture.stores;
      expect(await one.claimOnce('k', 10_000)).toBe(true);
      expect(await two.claimOnce('k', 10_000)).toBe(false);
    });

    it('of concurrent claims of one key exactly one wins', async () => {
      const [one, two] = fixture.stores;
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? one : two).claimOnce('race', 10_000)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('a refused claim does not extend the first one; the key is free again after ttlMs', async () => {
      const [s] = fixture.stores;
      expect(await s.claimOnce('k', 200)).toBe(true);
      await (fixture.advance ?? sleep)(100);
      expect(await s.claimOnce('k', 10_000)).toBe(false);
      await (fixture.advance ?? sleep)(200);
      expect(await s.claimOnce('k', 200)).toBe(true);
    });

    it('is ready', async () => {
      expect(await fixture.stores[0].ready()).toBe(true);
    });
  });
}
