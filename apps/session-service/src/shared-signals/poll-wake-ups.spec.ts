import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PollWakeUps, wakingHeldPolls } from './poll-wake-ups';
import { createSsfStore } from './sql/create-ssf-store';
import type { SqlSsfStore } from './sql/sql.ssf-store';

const timed = async (work: Promise<void>) => {
  const started = Date.now();
  await work;
  return Date.now() - started;
};

describe('PollWakeUps (RFC 8936 long polls)', () => {
  let ready: string[];
  let asked: string[][];
  let wakeUps: PollWakeUps;

  beforeEach(() => {
    ready = [];
    asked = [];
    wakeUps = new PollWakeUps(
      async (ids) => {
        asked.push([...ids]);
        return ready.filter((id) => ids.includes(id));
      },
      { recheckMs: 30 },
    );
  });
  afterEach(() => wakeUps.close());

  it('wakes the polls held on a stream at once when its SETs are queued here, no other', async () => {
    let other = false;
    void wakeUps.wait('b', 2_000).then(() => (other = true));
    const held = wakeUps.wait('a', 2_000);
    setTimeout(() => wakeUps.notify(['a', 'a']), 20);
    expect(await timed(held)).toBeLessThan(500);
    expect(other).toBe(false);
    expect(wakeUps.held).toBe(1);
  });

  it("finds a stream's SETs queued by another replica with one query for all held polls", async () => {
    const a = wakeUps.wait('a', 2_000);
    const b = wakeUps.wait('b', 2_000);
    ready = ['a'];
    expect(await timed(a)).toBeLessThan(500);
    expect(asked.every((ids) => ids.length <= 2)).toBe(true);
    ready = ['b'];
    await b;
    expect(wakeUps.held).toBe(0);
    // Nothing held: no more queries.
    const queries = asked.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(asked).toHaveLength(queries);
  });

  it('ends at the bound, on the signal, and for every poll on close', async () => {
    expect(await timed(wakeUps.wait('a', 60))).toBeGreaterThanOrEqual(50);
    const caller = new AbortController();
    const cancelled = wakeUps.wait('a', 5_000, caller.signal);
    setTimeout(() => caller.abort(), 20);
    expect(await timed(cancelled)).toBeLessThan(500);
    await wakeUps.wait('a', 5_000, caller.signal); // already aborted: at once
    const held = [wakeUps.wait('a', 5_000), wakeUps.wait('b', 5_000)];
    wakeUps.close();
    expect(await timed(Promise.all(held).then(() => undefined))).toBeLessThan(500);
    expect(await timed(wakeUps.wait('c', 5_000))).toBeLessThan(50);
  });

  it('survives a failing re-check and keeps holding', async () => {
    const errors: unknown[] = [];
    const failing = new PollWakeUps(
      async () => {
        throw new Error('database down');
      },
      { recheckMs: 10, onError: (e) => errors.push(e) },
    );
    expect(await timed(failing.wait('a', 80))).toBeGreaterThanOrEqual(70);
    expect(errors.length).toBeGreaterThan(0);
  });
});

describe('wakingHeldPolls', () => {
  let dir: string;
  let store: SqlSsfStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ssf-wake-'));
    store = await createSsfStore({ driver: 'sqlite', file: join(dir, 'ssf.sqlite') });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('wakes the poll streams a schedule queued SETs for, and is the store otherwise', async () => {
    const notified: string[][] = [];
    const wakeUps = { notify: (ids: Iterable<string>) => notified.push([...ids]) };
    const waking = wakingHeldPolls(store, wakeUps as unknown as PollWakeUps);
    const row = (streamId: string, method: 'push' | 'poll') =>
      ({
        streamId,
        clientId: 'rs',
        status: 'enabled',
        method,
        eventsDelivered: [],
        excluded: [],
        version: 1,
      }) as const;
    await waking.upsertStream(row('poll-1', 'poll'));
    await waking.upsertStream(row('push-1', 'push'));
    const delivery = (streamId: string, method: 'push' | 'poll') => ({
      streamId,
      jti: `jti-${streamId}`,
      clientId: 'rs',
      eventType: 'urn:x',
      sourceKey: 'ev-1',
      method,
      claims: { iat: 1, subId: { format: 'opaque', id: 'x' }, events: { 'urn:x': {} } },
    });
    const inserted = await waking.schedule(
      [delivery('poll-1', 'poll'), delivery('push-1', 'push')],
      1_000,
    );
    expect(inserted).toHaveLength(2);
    expect(notified).toEqual([['poll-1']]);
    expect((await waking.getStream('poll-1'))?.method).toBe('poll');
  });
});
