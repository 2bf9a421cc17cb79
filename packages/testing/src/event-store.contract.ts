import {
  ClientDeleted,
  EventValidationError,
  SessionClientJoined,
  UserDeleted,
  topicForStream,
  uuidv7,
  type EventEnvelope,
  type PendingEvent,
} from '@idp/contracts';
import {
  ConcurrencyError,
  DuplicateEventError,
  type EventStore,
  type OutboxMessage,
  type OutboxPublisher,
  type OutboxRelay,
  type OutboxRelayOptions,
  type StoredEvent,
} from '@idp/eventstore';

export type RelayFactory = (
  publisher: OutboxPublisher,
  options?: OutboxRelayOptions,
) => OutboxRelay;

export interface EventStoreFixture {
  readonly store: EventStore;
  readonly relayFactory: RelayFactory;
  /** Opens the same database again (a restart); enables the durability test. */
  readonly reopen?: () => Promise<{ store: EventStore; relayFactory: RelayFactory }>;
  /** Closes what is still open and deletes the database. */
  readonly cleanup: () => Promise<void>;
}

/** A fake of the publisher (never of the store): records what it accepted, fails on demand. */
class RecordingPublisher implements OutboxPublisher {
  readonly sent: { topic: string; key: string; value: EventEnvelope }[] = [];
  calls = 0;
  failing = false;
  async publish(topic: string, messages: OutboxMessage[]): Promise<void> {
    this.calls++;
    if (this.failing) throw new Error('broker unavailable');
    for (const m of messages) this.sent.push({ topic, ...m });
  }
}

const FAST: OutboxRelayOptions = {
  sweepIntervalMs: 20,
  batchSize: 3,
  backoff: { initialMs: 5, maxMs: 20 },
};

const sessionStream = () => `session-${uuidv7()}`;
const joined = (stream: string, n: number, meta: Partial<PendingEvent> = {}): PendingEvent => ({
  ...SessionClientJoined.create(
    { sid: stream.slice(8), clientId: `rp-${n}` },
    { correlationId: `corr-${n}` },
  ),
  ...meta,
});
const ids = (events: readonly { id: string }[]) => events.map((e) => e.id);
const withoutPosition = ({ position: _position, ...envelope }: StoredEvent): EventEnvelope =>
  envelope;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(
  what: string,
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Every committed event exactly once, each stream in order, on its topic, keyed by its stream. */
function expectPublishedExactlyOnce(
  publisher: RecordingPublisher,
  committed: readonly StoredEvent[],
): void {
  expect([...ids(publisher.sent.map((m) => m.value))].sort()).toEqual([...ids(committed)].sort());
  for (const m of publisher.sent) {
    expect(m.topic).toBe(topicForStream(m.value.stream));
    expect(m.key).toBe(m.value.stream);
  }
  for (const stream of new Set(committed.map((e) => e.stream))) {
    const published = publisher.sent.filter((m) => m.value.stream === stream).map((m) => m.value);
    expect(published).toEqual(committed.filter((e) => e.stream === stream).map(withoutPosition));
  }
}

/** The behaviour every EventStore adapter (and its outbox relay) must have. */
export function eventStoreContract(name: string, make: () => Promise<EventStoreFixture>): void {
  describe(`EventStore contract: ${name}`, () => {
    let f: EventStoreFixture;
    let relays: OutboxRelay[];
    const relay = (
      publisher: OutboxPublisher,
      options: OutboxRelayOptions = FAST,
      factory = f.relayFactory,
    ) => {
      const r = factory(publisher, options);
      relays.push(r);
      return r;
    };

    beforeEach(async () => {
      f = await make();
      relays = [];
    });
    afterEach(async () => {
      await Promise.all(relays.map((r) => r.stop()));
      await f.cleanup();
    });

    it('round-trips every envelope field and reports positions', async () => {
      const stream = sessionStream();
      const pending = [
        joined(stream, 1, { occurredAt: '2025-01-02T03:04:05.678+02:00' }),
        joined(stream, 2, { causationId: 'cause-1' }),
      ];
      const result = await f.store.append(stream, 0, pending);
      const read = await f.store.readStream(stream);
      expect(read.map(withoutPosition)).toEqual(
        pending.map((e, i) => ({ ...e, stream, streamVersion: i + 1 })),
      );
      expect(read.map((e) => e.position)).toEqual(result.positions);
      expect(result.positions.every((p) => /^[1-9][0-9]*$/.test(p))).toBe(true);
      expect(await f.store.readAll('0', 10)).toEqual(read);
    });

    it('numbers each stream 1..n, reads from a version, and treats an empty append as a no-op', async () => {
      const [a, b] = [sessionStream(), sessionStream()];
      expect((await f.store.append(a, 0, [joined(a, 1), joined(a, 2)])).nextVersion).toBe(2);
      expect((await f.store.append(b, 0, [joined(b, 1)])).nextVersion).toBe(1);
      expect(
        (await f.store.append(a, 2, [joined(a, 3), joined(a, 4), joined(a, 5)])).nextVersion,
      ).toBe(5);
      expect((await f.store.readStream(a)).map((e) => e.streamVersion)).toEqual([1, 2, 3, 4, 5]);
      expect((await f.store.readStream(a, 4)).map((e) => e.streamVersion)).toEqual([4, 5]);
      expect(await f.store.append(a, 5, [])).toEqual({ nextVersion: 5, positions: [] });
      expect(await f.store.readAll('0', 100)).toHaveLength(6);
      expect(await f.store.readStream(sessionStream())).toEqual([]);
    });

    it('rejects a wrong expected version with ConcurrencyError and writes nothing', async () => {
      const stream = sessionStream();
      await f.store.append(stream, 0, [joined(stream, 1)]);
      const r = relay(new RecordingPublisher());
      for (const expected of [0, 2]) {
        const error = await f.store
          .append(stream, expected, [joined(stream, 9)])
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ConcurrencyError);
        expect(error).toMatchObject({ stream, expected, actual: 1 });
      }
      expect(await f.store.readStream(stream)).toHaveLength(1);
      expect(await r.pendingCount()).toBe(1);
    });

    it("appends with 'any' whatever the current version", async () => {
      const stream = sessionStream();
      expect((await f.store.append(stream, 'any', [joined(stream, 1)])).nextVersion).toBe(1);
      expect((await f.store.append(stream, 'any', [joined(stream, 2)])).nextVersion).toBe(2);
      const racing = await Promise.all(
        [3, 4, 5, 6].map((n) => f.store.append(stream, 'any', [joined(stream, n)])),
      );
      expect(racing.map((r) => r.nextVersion).sort()).toEqual([3, 4, 5, 6]);
    });

    it('lets exactly one of several concurrent appends with the same expected version win', async () => {
      const stream = sessionStream();
      const attempts = [1, 2, 3, 4, 5, 6].map((n) => joined(stream, n));
      const results = await Promise.allSettled(attempts.map((e) => f.store.append(stream, 0, [e])));
      const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [attempts[i]!] : []));
      expect(winners).toHaveLength(1);
      for (const r of results)
        if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConcurrencyError);
      expect(ids(await f.store.readStream(stream))).toEqual(ids(winners));
    });

    it('settles concurrent appends one by one, as if they had run in arrival order', async () => {
      const fresh = Array.from({ length: 8 }, () => sessionStream());
      const contested = sessionStream();
      const taken = joined(fresh[0]!, 99);
      await f.store.append(sessionStream(), 0, [taken]);
      const calls = [
        ...fresh.map((s, i) => () => f.store.append(s, 0, [joined(s, i), joined(s, i + 100)])),
        () => f.store.append(contested, 0, [joined(contested, 1)]),
        () => f.store.append(contested, 0, [joined(contested, 2)]),
        () => f.store.append(contested, 'any', [joined(contested, 3)]),
        // Only this one reuses an event id: only this one fails.
        () => f.store.append(sessionStream(), 0, [{ ...joined(contested, 4), id: taken.id }]),
      ];
      const results = await Promise.allSettled(calls.map((call) => call()));
      const status = results.map((r) => (r.status === 'fulfilled' ? 'ok' : r.reason.name));
      expect(status).toEqual([
        ...fresh.map(() => 'ok'),
        'ok',
        'ConcurrencyError',
        'ok',
        'DuplicateEventError',
      ]);
      const byPosition = new Map((await f.store.readAll('0', 100)).map((e) => [e.position, e]));
      for (const [i, r] of results.entries()) {
        if (r.status !== 'fulfilled') continue;
        for (const p of r.value.positions) expect(byPosition.has(p)).toBe(true);
        if (i < fresh.length) expect(r.value.nextVersion).toBe(2);
      }
      expect((await f.store.readStream(contested)).map((e) => e.streamVersion)).toEqual([1, 2]);
      expect(
        (results[fresh.length + 2] as PromiseFulfilledResult<{ nextVersion: number }>).value
          .nextVersion,
      ).toBe(2);
      const positions = [...byPosition.keys()].map(BigInt);
      expect(positions.every((p, i) => i === 0 || p > positions[i - 1]!)).toBe(true);
      expect(byPosition.size).toBe(1 + fresh.length * 2 + 2);
    });

    it('pages through all streams in position order with readAll', async () => {
      const streams = [sessionStream(), sessionStream(), `client-${uuidv7()}`];
      const appended: string[] = [];
      for (let round = 0; round < 3; round++) {
        for (const [i, stream] of streams.entries()) {
          const event = stream.startsWith('client-')
            ? ClientDeleted.create({ clientId: stream }, { correlationId: 'c' })
            : joined(stream, round * 10 + i);
          await f.store.append(stream, round, [event]);
          appended.push(event.id);
        }
      }
      const pages: StoredEvent[][] = [];
      for (let from = '0'; ;) {
        const page = await f.store.readAll(from, 4);
        if (page.length === 0) break;
        pages.push(page);
        from = page[page.length - 1]!.position;
      }
      expect(pages.map((p) => p.length)).toEqual([4, 4, 1]);
      const all = pages.flat();
      expect(ids(all)).toEqual(appended);
      const positions = all.map((e) => BigInt(e.position));
      expect(positions.every((p, i) => i === 0 || p > positions[i - 1]!)).toBe(true);
    });

    it('rejects an invalid event with EventValidationError and writes none of its batch', async () => {
      const stream = sessionStream();
      const r = relay(new RecordingPublisher());
      const invalid = { ...joined(stream, 2), data: { sid: '', clientId: 42 } };
      const unknown = { ...joined(stream, 3), type: 'session.teleported' };
      for (const bad of [invalid, unknown]) {
        await expect(f.store.append(stream, 0, [joined(stream, 1), bad])).rejects.toBeInstanceOf(
          EventValidationError,
        );
      }
      expect(await f.store.readStream(stream)).toEqual([]);
      expect(await f.store.readAll('0', 10)).toEqual([]);
      expect(await r.pendingCount()).toBe(0);
    });

    it('rolls back the whole batch when its second insert fails inside the transaction', async () => {
      const [a, b] = [sessionStream(), sessionStream()];
      const taken = joined(a, 1);
      await f.store.append(a, 0, [taken]);
      const r = relay(new RecordingPublisher());
      // A reused event id passes validation and fails only at the unique index, mid-transaction.
      const batch = [joined(b, 1), { ...joined(b, 2), id: taken.id }];
      await expect(f.store.append(b, 0, batch)).rejects.toBeInstanceOf(DuplicateEventError);
      expect(await f.store.readStream(b)).toEqual([]);
      expect(await f.store.readAll('0', 10)).toHaveLength(1);
      expect(await r.pendingCount()).toBe(1);
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
          ClientDeleted.create({ clientId: `c${v}` }, { correlationId: 'c' }),
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

    it('finds the streams whose events carry a data field value, by prefix, each once, paged', async () => {
      const base = `session-${uuidv7()}`;
      // Code-point order: 'B' (66) before 'a' (97), whatever the database's collation.
      const [upper, lower, other] = [`${base}-B`, `${base}-a`, `${base}-c`];
      await f.store.append(lower, 0, [joined(lower, 1), joined(lower, 1)]);
      await f.store.append(upper, 0, [joined(upper, 1)]);
      await f.store.append(other, 0, [joined(other, 2)]);
      const client = `client-${uuidv7()}`;
      await f.store.append(client, 0, [
        ClientDeleted.create({ clientId: 'rp-1' }, { correlationId: 'c' }),
      ]);
      const user = `user-${uuidv7()}`;
      await f.store.append(user, 0, [UserDeleted.create({ sub: 'u-1' }, { correlationId: 'c' })]);
      const where = (field: 'sub' | 'clientId' | 'sid', value: string, more = {}) =>
        f.store.streamsWhere({ streamPrefix: base, field, value, ...more });

      expect(await where('clientId', 'rp-1')).toEqual([upper, lower]);
      expect(await where('sid', other.slice(8))).toEqual([other]);
      expect(
        await f.store.streamsWhere({ streamPrefix: 'client-', field: 'clientId', value: 'rp-1' }),
      ).toEqual([client]);
      expect(
        await f.store.streamsWhere({ streamPrefix: 'user-', field: 'sub', value: 'u-1' }),
      ).toEqual([user]);
      // Paging: after the last id returned, never the same stream twice.
      expect(await where('clientId', 'rp-1', { limit: 1 })).toEqual([upper]);
      expect(await where('clientId', 'rp-1', { limit: 1, after: upper })).toEqual([lower]);
      expect(await where('clientId', 'rp-1', { limit: 1, after: lower })).toEqual([]);
      // Exact matches only: no case folding, no patterns, no SQL in values.
      for (const value of ['RP-1', 'rp-%', 'rp-_', "rp-1' OR '1'='1", ''])
        expect(await where('clientId', value)).toEqual([]);
      for (const streamPrefix of ['session_', '%', `${base.toUpperCase()}`])
        expect(
          await f.store.streamsWhere({ streamPrefix, field: 'clientId', value: 'rp-1' }),
        ).toEqual([]);
      // Field names are a whitelist, never spliced into SQL from the caller.
      for (const field of ['scope', "sub') OR 1=1 --", 'data'])
        await expect(
          f.store.streamsWhere({ streamPrefix: base, field: field as 'sub', value: 'x' }),
        ).rejects.toBeInstanceOf(RangeError);
      await expect(where('clientId', 'rp-1', { limit: 0 })).rejects.toBeInstanceOf(RangeError);
      await expect(
        f.store.streamsWhere({ streamPrefix: '', field: 'clientId', value: 'rp-1' }),
      ).rejects.toBeInstanceOf(RangeError);
    });

    it('is ready while open and not after close', async () => {
      expect(await f.store.ready()).toBe(true);
      await f.store.close();
      expect(await f.store.ready()).toBe(false);
    });

    it('loses no committed event when closed abruptly, and a restarted relay publishes the rest', async () => {
      if (!f.reopen) return;
      const stream = sessionStream();
      await f.store.append(stream, 0, [joined(stream, 1), joined(stream, 2), joined(stream, 3)]);
      const first = relay(Object.assign(new RecordingPublisher(), { failing: true }));
      first.start();
      await f.store.close(); // no relay.stop(): the process "dies" with unsent rows
      const reopened = await f.reopen();
      try {
        expect(ids(await reopened.store.readStream(stream))).toHaveLength(3);
        const publisher = new RecordingPublisher();
        const second = relay(publisher, FAST, reopened.relayFactory);
        second.start();
        await second.flush();
        expectPublishedExactlyOnce(publisher, await reopened.store.readAll('0', 100));
      } finally {
        await Promise.all(relays.map((r) => r.stop()));
        await reopened.store.close();
      }
    });
  });
}
