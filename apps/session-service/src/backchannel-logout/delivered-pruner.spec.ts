import { DeliveredPruner } from './delivered-pruner';

const DAY = 86_400_000;

describe('DeliveredPruner', () => {
  it('deletes in batches until a batch is short, with the retention as cut-off', async () => {
    const counts = [1000, 1000, 12];
    const calls: [number, number][] = [];
    const pruner = new DeliveredPruner(
      {
        pruneDelivered: async (before, limit) => {
          calls.push([before, limit]);
          return counts.shift() ?? 0;
        },
      },
      { retentionDays: 7, everyMs: 3_600_000, now: () => 100 * DAY },
    );
    expect(await pruner.runOnce()).toBe(2012);
    expect(calls).toEqual([
      [93 * DAY, 1000],
      [93 * DAY, 1000],
      [93 * DAY, 1000],
    ]);
  });

  it('reports a failure and keeps what it deleted; one pass at a time', async () => {
    const errors: unknown[] = [];
    let release: () => void = () => undefined;
    let calls = 0;
    const pruner = new DeliveredPruner(
      {
        pruneDelivered: async () => {
          calls++;
          if (calls === 1) {
            await new Promise<void>((r) => (release = r));
            return 1000;
          }
          throw new Error('database gone');
        },
      },
      { retentionDays: 1, everyMs: 3_600_000, onError: (e) => errors.push(e) },
    );
    const first = pruner.runOnce();
    const second = pruner.runOnce(); // joins the running pass
    release();
    expect(await first).toBe(1000);
    expect(await second).toBe(1000);
    expect(calls).toBe(2);
    expect(errors).toEqual([new Error('database gone')]);
  });

  it('runs at start and on its interval until stopped', async () => {
    jest.useFakeTimers();
    try {
      let calls = 0;
      const pruner = new DeliveredPruner(
        { pruneDelivered: async () => (calls++, 0) },
        { retentionDays: 1, everyMs: 1000 },
      );
      pruner.start();
      await jest.advanceTimersByTimeAsync(2500);
      expect(calls).toBe(3);
      await pruner.stop();
      await jest.advanceTimersByTimeAsync(5000);
      expect(calls).toBe(3);
    } finally {
      jest.useRealTimers();
    }
  });
});
