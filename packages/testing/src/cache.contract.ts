import type { ReadModelCache } from '@idp/cache';
import { conditionalAndBatchWriteCases } from './cache/conditional-and-batch-writes.cases';
import { invalidationCases } from './cache/invalidations.cases';
import { readWriteCases } from './cache/reads-writes.cases';
import { sleep, type ContractContext, type ReadModelCacheFixture } from './cache/support';
import { ttlCases } from './cache/ttl.cases';
import { valuesAndLifecycleCases } from './cache/values-and-lifecycle.cases';

export type { ReadModelCacheFixture } from './cache/support';

/**
 * Behaviour every ReadModelCache adapter (and its CacheInvalidations) must
 * have, so the embedded mode and the distributed mode answer identically.
 */
export function readModelCacheContract(
  name: string,
  make: () => Promise<ReadModelCacheFixture>,
): void {
  describe(`ReadModelCache contract: ${name}`, () => {
    let fixture: ReadModelCacheFixture | undefined;
    let cache: ReadModelCache;
    const advance = (ms: number) => (fixture?.advance ?? sleep)(ms);

    beforeEach(async () => {
      fixture = undefined;
      fixture = await make();
      cache = fixture.cache;
    });

    afterEach(async () => {
      await fixture?.cleanup();
    });

    const ctx: ContractContext = { fixture: () => fixture, cache: () => cache, advance };
    readWriteCases(ctx);
    ttlCases(ctx);
    conditionalAndBatchWriteCases(ctx);
    valuesAndLifecycleCases(ctx);
    invalidationCases(ctx);
  });
}
