import { AdmissionGate, AdmissionRefused } from './admission-gate';

/** A unit of work the test finishes by hand. */
function deferred() {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { done, finish };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('AdmissionGate', () => {
  afterEach(() => jest.useRealTimers());

  it('runs at most `concurrency` units at once and starts waiters in FIFO order', async () => {
    const gate = new AdmissionGate({ concurrency: 2, queue: 5, queueTimeoutMs: 10_000 });
    const works = Array.from({ length: 4 }, () => deferred());
    const started: number[] = [];
    const results = works.map((w, i) =>
      gate.run(async () => {
        started.push(i);
        await w.done;
        return i;
      }),
    );
    await flush();
    expect(started).toEqual([0, 1]);
    expect([gate.running, gate.waiting]).toEqual([2, 2]);
    works[1]!.finish();
    await flush();
    expect(started).toEqual([0, 1, 2]);
    expect([gate.running, gate.waiting]).toEqual([2, 1]);
    works.forEach((w) => w.finish());
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3]);
    expect([gate.running, gate.waiting]).toEqual([0, 0]);
  });

  it('refuses at once what does not fit in the queue, without running it', async () => {
    const gate = new AdmissionGate({ concurrency: 1, queue: 1, queueTimeoutMs: 10_000 });
    const hold = deferred();
    const ran: string[] = [];
    const first = gate.run(async () => {
      ran.push('first');
      await hold.done;
    });
    const second = gate.run(async () => void ran.push('second'));
    await expect(gate.run(async () => void ran.push('third'))).rejects.toEqual(
      new AdmissionRefused('queue_full'),
    );
    hold.finish();
    await Promise.all([first, second]);
    expect(ran).toEqual(['first', 'second']);
  });

  it('refuses a waiter that got no slot in time, and frees its queue place', async () => {
    jest.useFakeTimers();
    const gate = new AdmissionGate({ concurrency: 1, queue: 1, queueTimeoutMs: 500 });
    const hold = deferred();
    const first = gate.run(() => hold.done);
    const late = gate.run(async () => 'never');
    jest.advanceTimersByTime(500);
    await expect(late).rejects.toEqual(new AdmissionRefused('queue_timeout'));
    expect(gate.waiting).toBe(0);
    const next = gate.run(async () => 'next');
    hold.finish();
    await first;
    expect(await next).toBe('next');
  });

  it('releases the slot when the work fails', async () => {
    const gate = new AdmissionGate({ concurrency: 1, queue: 0, queueTimeoutMs: 1_000 });
    await expect(gate.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run(async () => 'ok')).toBe('ok');
    expect(gate.running).toBe(0);
  });

  it('rejects a concurrency below 1', () => {
    expect(() => new AdmissionGate({ concurrency: 0, queue: 1, queueTimeoutMs: 1 })).toThrow(
      RangeError,
    );
  });
});
