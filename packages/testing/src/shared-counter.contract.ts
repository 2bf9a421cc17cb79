import { setTimeout as sleep } from 'node:timers/promises';
import type { SharedCounter } from '@idp/cache';

export interface SharedCounterFixture {
  /** Two connections to one store, as two replicas have. */
  readonly counters: readonly [SharedCounter, SharedCounter];
  /** Lets `ms` pass: the in-memory adapter moves its clock; omitted, the suite sleeps. */
  readonly advance?: (ms: number) => Promise<void>;
  readonly cleanup: () => Promise<void>;
}

/** Behaviour every SharedCounter adapter must have (ADR 0016). */
export function sharedCounterContract(
  name: string,
  make: () => Promise<SharedCounterFixture>,
): void {
  describe(`SharedCounter contract: ${name}`, () => {
    let fixture: SharedCounterFixture;
    beforeEach(async () => {
      fixture = await make();
    });
    afterEach(() => fixture.cleanup());

    it('adds and answers the totals in the order given', async () => {
      const [c] = fixture.counters;
      expect(
        await c.add(
          [
            { key: 'a', delta: 3 },
            { key: 'b', delta: 1 },
          ],
          10_000,
        ),
      ).toEqual([3, 1]);
      expect(
        await c.add(
          [
            { key: 'b', delta: 2 },
            { key: 'a', delta: 0 },
          ],
          10_000,
        ),
      ).toEqual([3, 3]);
      expect(await c.add([], 10_000)).toEqual([]);
    });

    it('is one total for every connection (replica)', async () => {
      const [one, two] = fixture.counters;
      await one.add([{ key: 'k', delta: 5 }], 10_000);
      expect(await two.add([{ key: 'k', delta: 2 }], 10_000)).toEqual([7]);
      expect(await one.add([{ key: 'k', delta: 0 }], 10_000)).toEqual([7]);
    });

    it('concurrent adds are never lost', async () => {
      const [one, two] = fixture.counters;
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? one : two).add([{ key: 'k', delta: 1 }], 10_000),
        ),
      );
      expect(await one.add([{ key: 'k', delta: 0 }], 10_000)).toEqual([20]);
    });

    it('forgets a key ttlMs after its last add', async () => {
      const [c] = fixture.counters;
      await c.add([{ key: 'k', delta: 4 }], 200);
      await (fixture.advance ?? sleep)(300);
      expect(await c.add([{ key: 'k', delta: 1 }], 200)).toEqual([1]);
    });
  });
}
