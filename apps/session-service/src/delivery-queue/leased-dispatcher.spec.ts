import { setTimeout as sleep } from 'node:timers/promises';
import type { AttemptResult } from './attempt';
import {
  LeasedDispatcher,
  type DispatchStep,
  type LeasedDispatcherOptions,
  type LeasedQueuePorts,
  type LeasedStore,
  type RecordedOutcome,
} from './leased-dispatcher';

interface Key {
  readonly id: string;
}

interface Item extends Key {
  readonly attempts: number;
}

interface Row {
  id: string;
  attempts: number;
  status: 'pending' | 'delivered' | 'dead_lettered';
  nextAttemptAt: number;
  leaseOwner?: string | undefined;
  leaseUntil?: number | undefined;
}

/**
 * An in-memory queue with the stores' lease semantics (claim only due,
 * unleased rows; record and release only what the caller holds), so the
 * dispatcher is tested alone, with real timers.
 */
class FakeQueue implements LeasedStore<Item, Key> {
  readonly rows = new Map<string, Row>();
  readonly claims: { limit: number; leaseMs: number; owner: string }[] = [];
  readonly recorded: RecordedOutcome<Key>[][] = [];
  readonly released: { ids: string[]; dueAt: number; owner: string }[] = [];
  readonly owners = new Set<string>();

  add(n: number, prefix = 'd'): void {
    for (let i = 0; i < n; i++)
      this.rows.set(`${prefix}${i}`, {
        id: `${prefix}${i}`,
        attempts: 0,
        status: 'pending',
        nextAttemptAt: Date.now(),
      });
  }

  claimDue = async (limit: number, now: number, leaseMs: number, owner: string) => {
    this.claims.push({ limit, leaseMs, owner });
    const due = [...this.rows.values()]
      .filter(
        (r) =>
          r.status === 'pending' &&
          r.nextAttemptAt <= now &&
          (r.leaseUntil === undefined || r.leaseUntil <= now),
      )
      .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt)
      .slice(0, limit);
    for (const r of due) Object.assign(r, { leaseOwner: owner, leaseUntil: now + leaseMs });
    return due.map(({ id, attempts }) => ({ id, attempts }));
  };

  nextDueAt = async () => {
    const due = [...this.rows.values()]
      .filter((r) => r.status === 'pending')
      .map((r) => Math.max(r.nextAttemptAt, r.leaseUntil ?? 0));
    return due.length === 0 ? undefined : Math.min(...due);
  };

  record = async (outcomes: readonly RecordedOutcome<Key>[], _now: number, owner: string) => {
    this.recorded.push([...outcomes]);
    this.owners.add(owner);
    for (const { id, transition: t } of outcomes) {
      const row = this.rows.get(id)!;
      if (row.leaseOwner !== owner) continue;
      Object.assign(row, {
        attempts: t.attempt,
        status: t.kind === 'retry' ? 'pending' : t.kind,
        nextAttemptAt: t.kind === 'retry' ? t.nextAttemptAt : row.nextAttemptAt,
        leaseOwner: undefined,
        leaseUntil: undefined,
      });
    }
  };

  release = async (keys: readonly Key[], dueAt: number, owner: string) => {
    this.released.push({ ids: keys.map((k) => k.id), dueAt, owner });
    for (const { id } of keys) {
      const row = this.rows.get(id)!;
      if (row.leaseOwner === owner)
        Object.assign(row, { nextAttemptAt: dueAt, leaseOwner: undefined, leaseUntil: undefined });
    }
  };

  get outcomes(): RecordedOutcome<Key>[] {
    return this.recorded.flat();
  }

  status(id: string) {
    return this.rows.get(id)?.status;
  }
}

/** `fn`, except that its first call fails: a dependency that is down once, then back. */
function failingOnce<A extends unknown[], R>(
  message: string,
  fn: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  let failed = false;
  return async (...args) => {
    if (failed) return fn(...args);
    failed = true;
    throw new Error(message);
  };
}

describe('LeasedDispatcher', () => {
  let queue: FakeQueue;
  let dispatcher: LeasedDispatcher<Item, Key, string> | undefined;
  let errors: { step: DispatchStep; err: unknown }[];

  beforeEach(() => {
    queue = new FakeQueue();
    errors = [];
  });
  afterEach(async () => {
    await dispatcher?.stop();
    dispatcher = undefined;
  });

  const ok = async (): Promise<AttemptResult> => ({ ok: true, status: 200 });

  function start(
    over: Partial<LeasedQueuePorts<Item, Key, string>> = {},
    options: Partial<LeasedDispatcherOptions> = {},
  ): LeasedDispatcher<Item, Key, string> {
    dispatcher = new LeasedDispatcher<Item, Key, string>(
      {
        store: queue,
        keyOf: ({ id }) => ({ id }),
        prepare: async () => 'context',
        sign: async (batch) => batch.map((d) => `signed:${d.id}`),
        send: ok,
        onError: (step, err) => errors.push({ step, err }),
        random: () => 0.5,
        ...over,
      },
      {
        concurrency: 4,
        timeoutMs: 1_000,
        pollMs: 50,
        schedule: { baseMs: 20, capMs: 40, maxAttempts: 3 },
        flushMs: 5,
        ...options,
      },
    );
    dispatcher.start();
    return dispatcher;
  }

  async function until(what: string, probe: () => boolean, ms = 5_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!probe()) {
      if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
      await sleep(5);
    }
  }

  it('sends each due delivery once, signed in batches, with the claim’s context', async () => {
    const signed: string[][] = [];
    const sent: string[] = [];
    queue.add(25);
    start(
      {
        sign: async (batch) => {
          signed.push(batch.map((d) => d.id));
          return batch.map((d) => `signed:${d.id}`);
        },
        send: async (d, s, context) => {
          sent.push(`${d.id} ${s} ${context}`);
          return { ok: true, status: 202 };
        },
      },
      { concurrency: 25, signBatch: 10 },
    );
    await until('all delivered', () => queue.outcomes.length === 25);
    expect(signed.map((b) => b.length)).toEqual([10, 10, 5]);
    expect(new Set(sent).size).toBe(25);
    expect(sent).toContain('d7 signed:d7 context');
    expect(queue.outcomes.every((o) => o.transition.kind === 'delivered')).toBe(true);
  });

  it('never has more sends in flight than slots, and claims no more than the free slots', async () => {
    let inFlight = 0;
    let peak = 0;
    let busiest = 0;
    queue.add(30);
    const d = start(
      {
        send: async () => {
          peak = Math.max(peak, ++inFlight);
          busiest = Math.max(busiest, d.busySlots);
          await sleep(5);
          inFlight--;
          return { ok: true, status: 200 };
        },
      },
      { concurrency: 4 },
    );
    await until('all delivered', () => queue.outcomes.length === 30);
    expect(peak).toBe(4);
    expect(busiest).toBe(4);
    expect(queue.claims.every((c) => c.limit >= 1 && c.limit <= 4)).toBe(true);
    await until('every slot free', () => d.busySlots === 0);
  });

  it('a freed slot ends the idle sleep: a full dispatcher does not wait for the poll', async () => {
    queue.add(3);
    const started = Date.now();
    start({}, { concurrency: 1, pollMs: 60_000 });
    await until('all three delivered', () => queue.outcomes.length === 3, 2_000);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('a send that hangs holds its own slot and nothing else', async () => {
    let release: () => void = () => undefined;
    const hang = new Promise<void>((r) => (release = r));
    queue.add(12);
    const d = start(
      {
        send: async (delivery) => {
          if (delivery.id === 'd0') await hang;
          return { ok: true, status: 200 };
        },
      },
      { concurrency: 3 },
    );
    await until('all but the hanging one recorded', () => queue.outcomes.length === 11);
    expect(d.busySlots).toBe(1);
    expect(queue.status('d0')).toBe('pending');
    release();
    await until('the hanging one too', () => queue.status('d0') === 'delivered');
    expect(d.busySlots).toBe(0);
  });

  it('leases to its own owner for twice the timeout plus 10 s, and records and releases as that owner', async () => {
    queue.add(2);
    const d = start({
      sign: failingOnce('token-service unavailable', async (batch) => batch.map((x) => x.id)),
    });
    await until('both delivered', () => queue.outcomes.length === 2);
    expect(d.leaseMs).toBe(2 * 1_000 + 10_000);
    expect(queue.claims.every((c) => c.owner === d.owner && c.leaseMs === d.leaseMs)).toBe(true);
    expect(queue.released.map((r) => r.owner)).toEqual([d.owner]);
    expect([...queue.owners]).toEqual([d.owner]);
    const other = new LeasedDispatcher<Item, Key, string>(
      {
        store: queue,
        keyOf: (k) => k,
        prepare: async () => '',
        sign: async () => [],
        send: ok,
      },
      {
        concurrency: 1,
        timeoutMs: 1,
        pollMs: 1,
        schedule: { baseMs: 1, capMs: 1, maxAttempts: 1 },
      },
    );
    expect(other.owner).not.toBe(d.owner);
  });

  it('flushes once `flushSize` outcomes wait, without waiting for `flushMs`', async () => {
    let sent = 0;
    queue.add(4);
    const send = async (): Promise<AttemptResult> => {
      sent++;
      return { ok: true, status: 200 };
    };
    start({ send }, { concurrency: 10, flushSize: 5, flushMs: 60_000 });
    await until('four sent', () => sent === 4);
    await sleep(50);
    expect(queue.recorded).toHaveLength(0); // four wait: below the size, the timer a minute off
    queue.add(1, 'fifth');
    dispatcher!.wake();
    await until('all five recorded at the fifth', () => queue.outcomes.length === 5, 1_000);
    expect(queue.recorded).toHaveLength(1);
  });

  it('flushes fewer than `flushSize` outcomes after `flushMs`', async () => {
    queue.add(3);
    const started = Date.now();
    start({}, { flushSize: 1_000, flushMs: 40 });
    await until('recorded', () => queue.outcomes.length === 3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
    expect(queue.recorded).toHaveLength(1);
  });

  it('keeps the outcomes of a failed flush and records them with the next', async () => {
    queue.add(2);
    start({ store: { ...queue, record: failingOnce('database down', queue.record) } });
    await until('recorded on the retry', () => queue.outcomes.length === 2);
    expect(errors.map((e) => e.step)).toEqual(['record']);
    expect(queue.status('d0')).toBe('delivered');
  });

  it('journals outcomes before the store records them, and reports them after', async () => {
    const order: string[] = [];
    queue.add(2);
    start({
      journal: async (outcomes) => {
        for (const { delivery } of outcomes)
          order.push(`journal ${delivery.id} ${queue.status(delivery.id)}`);
      },
      onRecorded: (outcomes) => {
        for (const { delivery } of outcomes)
          order.push(`recorded ${delivery.id} ${queue.status(delivery.id)}`);
      },
    });
    await until('recorded', () => order.length === 4);
    expect(order.sort()).toEqual([
      'journal d0 pending',
      'journal d1 pending',
      'recorded d0 delivered',
      'recorded d1 delivered',
    ]);
  });

  it('records nothing while the journal fails, and all of it once it works', async () => {
    queue.add(1);
    start({ journal: failingOnce('event store down', async () => undefined) });
    await until('recorded after the journal works', () => queue.outcomes.length === 1);
    expect(queue.recorded).toHaveLength(1);
    expect(errors.map((e) => e.step)).toEqual(['record']);
  });

  it('wake() ends the idle sleep at once; without it, new work waits for the poll', async () => {
    start({}, { pollMs: 60_000 });
    await sleep(20); // idle now, for up to a minute
    queue.add(1, 'late');
    await sleep(100);
    expect(queue.outcomes).toHaveLength(0);
    const woken = Date.now();
    dispatcher!.wake();
    await until('delivered', () => queue.outcomes.length === 1, 2_000);
    expect(Date.now() - woken).toBeLessThan(1_000);
  });

  it('sleeps only until the next delivery falls due', async () => {
    start({}, { pollMs: 60_000 });
    await sleep(20);
    queue.add(1);
    queue.rows.get('d0')!.nextAttemptAt = Date.now() + 50;
    dispatcher!.wake(); // it looks, finds d0 not due, and sleeps until it is
    await until('delivered once due', () => queue.outcomes.length === 1, 2_000);
  });

  it('a failed attempt goes through the retry schedule until it is dead-lettered', async () => {
    queue.add(1);
    start({ send: async () => ({ ok: false, error: 'HTTP 503' }) });
    await until('dead-lettered', () => queue.status('d0') === 'dead_lettered');
    expect(queue.outcomes.map((o) => o.transition.kind)).toEqual([
      'retry',
      'retry',
      'dead_lettered',
    ]);
  });

  it('a sender that throws is a failed attempt, never an unhandled rejection or a lost slot', async () => {
    queue.add(1);
    const d = start({
      send: async () => {
        throw new Error('poster bug');
      },
    });
    await until('dead-lettered', () => queue.status('d0') === 'dead_lettered');
    expect(queue.outcomes.map((o) => o.transition.kind)).toEqual([
      'retry',
      'retry',
      'dead_lettered',
    ]);
    expect(errors.map((e) => e.step)).toEqual(['send', 'send', 'send']);
    expect(d.busySlots).toBe(0);
  });

  it('gives the whole claim back, counting no attempt, when preparing it fails', async () => {
    queue.add(3);
    const d = start({ prepare: failingOnce('streams unreadable', async () => 'context') });
    await until('delivered after the release', () => queue.outcomes.length === 3);
    expect(errors.map((e) => e.step)).toEqual(['prepare']);
    expect(queue.released).toHaveLength(1);
    expect(queue.released[0]!.ids.sort()).toEqual(['d0', 'd1', 'd2']);
    expect(queue.outcomes.every((o) => o.transition.attempt === 1)).toBe(true);
    expect(d.busySlots).toBe(0);
  });

  it('gives back a batch it cannot sign (or signed short), due again after the base delay', async () => {
    let calls = 0;
    queue.add(2);
    start({
      sign: async (batch) => (++calls === 1 ? ['only one'] : batch.map((x) => x.id)),
    });
    await until('delivered', () => queue.outcomes.length === 2);
    expect(errors.map((e) => e.step)).toEqual(['sign']);
    expect((errors[0]!.err as Error).message).toBe('signer returned a different count');
    expect(queue.outcomes.every((o) => o.transition.attempt === 1)).toBe(true);
  });

  it('keeps going after a failed claim', async () => {
    queue.add(1);
    start({ store: { ...queue, claimDue: failingOnce('database down', queue.claimDue) } });
    await until('delivered', () => queue.outcomes.length === 1);
    expect(errors.map((e) => e.step)).toEqual(['claim']);
  });

  it('stop() waits for the sends in flight and records them', async () => {
    queue.add(2);
    let sends = 0;
    const d = start({
      send: async () => {
        sends++;
        await sleep(50);
        return { ok: true, status: 200 };
      },
    });
    await until('both sending', () => sends === 2);
    await d.stop();
    dispatcher = undefined;
    expect(queue.outcomes).toHaveLength(2);
    expect(d.busySlots).toBe(0);
  });
});
