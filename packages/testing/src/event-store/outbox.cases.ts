import { ClientDeleted, uuidv7, freshEventMeta } from '@idp/contracts';
import {
  expectPublishedExactlyOnce,
  FAST,
  joined,
  RecordingPublisher,
  sessionStream,
  sleep,
  waitFor,
  type ContractContext,
  type EventStoreFixture,
} from './support';

/** The outbox relay: exactly once, in order, through failures, one relay at a time, purging. */
export function outboxCases(ctx: ContractContext): void {
  let f!: EventStoreFixture;
  const relay = ctx.relay;
  beforeEach(() => {
    f = ctx.fixture();
  });

  it('publishes each committed event exactly once, in stream order, on its topic keyed by stream', async () => {
    const publisher = new RecordingPublisher();
    const r = relay(publisher);
    const streams = [sessionStream(), sessionStream(), `client-${uuidv7()}`];
    await f.store.append(streams[0]!, 0, [joined(streams[0]!, 1), joined(streams[0]!, 2)]);
    r.start();
    for (let v = 0; v < 4; v++) {
      await f.store.append(streams[1]!, v, [joined(streams[1]!, v)]);
      await f.store.append(streams[2]!, v, [
        ClientDeleted.create({ clientId: `c${v}` }, freshEventMeta('c')),
      ]);
      r.notify();
    }
    await r.flush();
    await sleep(100); // several more sweeps: nothing may be published twice
    const committed = await f.store.readAll('0', 100);
    expectPublishedExactlyOnce(publisher, committed);
    expect(await r.pendingCount()).toBe(0);
    expect(r.stats().published).toBe(committed.length);
  });

  it('reports its backlog: how many rows are unsent and when the oldest was written', async () => {
    const r = relay(new RecordingPublisher());
    expect(await r.backlog()).toEqual({ count: 0, oldestCreatedAt: undefined });
    const stream = sessionStream();
    const before = Date.now();
    await f.store.append(stream, 0, [joined(stream, 1), joined(stream, 2)]);
    const between = Date.now();
    await sleep(30);
    await f.store.append(stream, 2, [joined(stream, 3)]);
    const backlog = await r.backlog();
    expect(backlog.count).toBe(3);
    // The first append's rows, not the later one's.
    expect(backlog.oldestCreatedAt!.getTime()).toBeGreaterThanOrEqual(before);
    expect(backlog.oldestCreatedAt!.getTime()).toBeLessThanOrEqual(between);
    r.start();
    await r.flush();
    expect(await r.backlog()).toEqual({ count: 0, oldestCreatedAt: undefined });
  });

  it('keeps everything while the publisher fails, then publishes it all in order', async () => {
    const publisher = Object.assign(new RecordingPublisher(), { failing: true });
    const r = relay(publisher);
    r.start();
    const [a, b] = [sessionStream(), sessionStream()];
    for (let v = 0; v < 4; v++) {
      await f.store.append(a, v, [joined(a, v)]);
      await f.store.append(b, v, [joined(b, v)]);
      r.notify();
    }
    // Counted once the failed attempt is recorded, after the publisher threw.
    await waitFor('several failed attempts', () => r.stats().failures >= 4);
    expect(publisher.sent).toEqual([]);
    expect(await r.pendingCount()).toBe(8);
    publisher.failing = false;
    await r.flush();
    expectPublishedExactlyOnce(publisher, await f.store.readAll('0', 100));
  });

  it('a fresh relay publishes rows that a previous relay never sent', async () => {
    const stream = sessionStream();
    await f.store.append(stream, 0, [joined(stream, 1), joined(stream, 2)]);
    const broken = Object.assign(new RecordingPublisher(), { failing: true });
    const first = relay(broken);
    first.start();
    await waitFor('a failed attempt', () => broken.calls > 0);
    await first.stop();
    const publisher = new RecordingPublisher();
    const second = relay(publisher);
    second.start();
    await second.flush();
    expectPublishedExactlyOnce(publisher, await f.store.readAll('0', 100));
  });

  it('notify() publishes at once, without waiting for the sweep', async () => {
    const publisher = new RecordingPublisher();
    const r = relay(publisher, { ...FAST, sweepIntervalMs: 60_000 });
    r.start();
    await r.flush();
    const stream = sessionStream();
    await f.store.append(stream, 0, [joined(stream, 1)]);
    r.notify();
    await waitFor('the notified publish', () => publisher.sent.length === 1, 2_000);
  });

  it('lets only one relay publish at a time', async () => {
    const publisher = new RecordingPublisher();
    const both = [relay(publisher), relay(publisher)];
    both.forEach((r) => r.start());
    const stream = sessionStream();
    for (let v = 0; v < 10; v++) {
      await f.store.append(stream, v, [joined(stream, v)]);
      both.forEach((r) => r.notify());
    }
    await Promise.all(both.map((r) => r.flush()));
    expectPublishedExactlyOnce(publisher, await f.store.readAll('0', 100));
  });

  it('purges sent rows older than the retention', async () => {
    const r = relay(new RecordingPublisher(), { ...FAST, retentionMs: 0, purgeIntervalMs: 0 });
    r.start();
    const stream = sessionStream();
    await f.store.append(stream, 0, [joined(stream, 1), joined(stream, 2)]);
    await r.flush();
    await waitFor('the purge', () => r.stats().purged === 2);
    expect(await f.store.readStream(stream)).toHaveLength(2); // events are never purged
  });
}
