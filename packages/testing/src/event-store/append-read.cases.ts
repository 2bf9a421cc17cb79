import { ClientDeleted, EventValidationError, uuidv7, freshEventMeta } from '@idp/contracts';
import { ConcurrencyError, DuplicateEventError, type StoredEvent } from '@idp/eventstore';
import {
  ids,
  joined,
  RecordingPublisher,
  sessionStream,
  withoutPosition,
  type ContractContext,
  type EventStoreFixture,
} from './support';

/** Appends, optimistic concurrency, reads by stream and in global order, validation and rollback. */
export function appendAndReadCases(ctx: ContractContext): void {
  let f!: EventStoreFixture;
  const relay = ctx.relay;
  beforeEach(() => {
    f = ctx.fixture();
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
          ? ClientDeleted.create({ clientId: stream }, freshEventMeta('c'))
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

  it('names the newest readable position and counts the events', async () => {
    expect(await f.store.lastPosition()).toBe('0');
    expect(await f.store.countEvents()).toBe(0);
    const [a, b] = [sessionStream(), sessionStream()];
    await f.store.append(a, 0, [joined(a, 1), joined(a, 2)]);
    await f.store.append(b, 0, [joined(b, 1)]);
    const all = await f.store.readAll('0', 10);
    expect(await f.store.lastPosition()).toBe(all.at(-1)!.position);
    expect(await f.store.countEvents()).toBe(3);
    // Reading on from it returns exactly what commits later.
    const last = await f.store.lastPosition();
    await f.store.append(a, 2, [joined(a, 3)]);
    expect((await f.store.readAll(last, 10)).map((e) => e.streamVersion)).toEqual([3]);
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
}
