import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, sequentialId, sequentialIds } from '@idp/contracts';
import { DomainRuleError, sessionDecider } from '@idp/domain';
import { createEventStore, type EventStore } from '@idp/eventstore';
import { CommandRunner } from './command-runner';

const lifetimes = { idleSeconds: 1_000, absoluteSeconds: 4_000 };
const start = (sid: string, sub = 'u1') => ({
  type: 'StartSession' as const,
  sid,
  sub,
  amr: ['pwd'],
  lifetimes,
  meta: { now: 1_000, correlationId: 'c' },
});
const joinClient = (clientId: string) => ({
  type: 'JoinClient' as const,
  clientId,
  meta: { now: 1_001, correlationId: 'c' },
});

/** Counts the reads that reach the real store, and remembers each one's fromVersion. */
function countingReads(store: EventStore): {
  store: EventStore;
  reads: () => number;
  from: (number | undefined)[];
} {
  let reads = 0;
  const from: (number | undefined)[] = [];
  const counted = Object.create(store) as EventStore;
  counted.readStream = (...args) => {
    reads++;
    from.push(args[1]);
    return store.readStream(...args);
  };
  return { store: counted, reads: () => reads, from };
}

describe('CommandRunner', () => {
  let dir: string;
  let store: EventStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'command-runner-'));
    store = await createEventStore({ driver: 'sqlite', file: join(dir, 'events.db') });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stamps every event with its clock and id source (ADR 0020), and a retry with fresh ids', async () => {
    const clock = new ManualClock(Date.parse('2026-03-04T05:06:07.089Z'));
    const runner = new CommandRunner(store, { clock, ids: sequentialIds() });
    const started = await runner.run(sessionDecider, 'session-s1', start('s1'));
    expect(started.appended).toEqual([
      expect.objectContaining({
        id: sequentialId(1),
        occurredAt: '2026-03-04T05:06:07.089Z',
        correlationId: 'c',
      }),
    ]);
    // Another runner appends first: the conflict makes this one decide again, with new ids.
    await new CommandRunner(store).run(sessionDecider, 'session-s1', joinClient('rp0'));
    clock.advance(1_000);
    const joined = await runner.runFrom(sessionDecider, 'session-s1', joinClient('rp1'), {
      state: started.state,
      version: started.nextVersion,
    });
    expect(joined.appended.map((e) => [e.id, e.occurredAt])).toEqual([
      [sequentialId(3), '2026-03-04T05:06:08.089Z'],
    ]);
    const stored = await store.readStream('session-s1');
    expect(stored.map((e) => e.id)).toEqual([sequentialId(1), expect.any(String), sequentialId(3)]);
    expect(runner.requestMeta()).toEqual({
      now: clock.nowSeconds(),
      correlationId: sequentialId(4),
    });
  });

  it('runNew creates a fresh stream without reading it, and tells the relay', async () => {
    const counted = countingReads(store);
    let commits = 0;
    const runner = new CommandRunner(counted.store, { afterCommit: () => commits++ });
    const result = await runner.runNew(sessionDecider, 'session-s1', start('s1'));
    expect(counted.reads()).toBe(0);
    expect(commits).toBe(1);
    expect(result.nextVersion).toBe(1);
    expect(result.state.status).toBe('active');
    expect((await store.readStream('session-s1')).map((e) => e.type)).toEqual(['session.started']);
  });

  it('runNew on a stream that exists after all decides against its real state, as run would', async () => {
    const runner = new CommandRunner(store);
    await runner.run(sessionDecider, 'session-s1', start('s1'));
    await expect(
      runner.runNew(sessionDecider, 'session-s1', start('s1', 'u2')),
    ).rejects.toBeInstanceOf(DomainRuleError);
    expect((await store.readStream('session-s1')).map((e) => e.type)).toEqual(['session.started']);
  });

  it('runFrom decides against the state given without a read, and re-reads when the stream moved', async () => {
    const counted = countingReads(store);
    const runner = new CommandRunner(counted.store);
    await runner.runNew(sessionDecider, 'session-s1', start('s1'));
    const loaded = await runner.load(sessionDecider, 'session-s1');
    const readsBefore = counted.reads();
    const first = await runner.runFrom(sessionDecider, 'session-s1', joinClient('rp1'), loaded);
    expect(counted.reads()).toBe(readsBefore);
    expect(first.nextVersion).toBe(2);
    // `loaded` is now stale (version 1): the append conflicts and the runner reads afresh.
    const second = await runner.runFrom(sessionDecider, 'session-s1', joinClient('rp2'), loaded);
    expect(counted.reads()).toBe(readsBefore + 1);
    expect(second.nextVersion).toBe(3);
    expect(
      (await store.readStream('session-s1')).map((e) => (e.data as { clientId?: string }).clientId),
    ).toEqual([undefined, 'rp1', 'rp2']);
  });

  it('run retries a command that lost a race, against the fresh stream, and applies each once', async () => {
    const runner = new CommandRunner(store);
    await runner.run(sessionDecider, 'session-s1', start('s1'));
    // Five concurrent joins of distinct clients (the default allows five retries):
    // each reads, all but one conflict, and every round lands at least one.
    const clients = Array.from({ length: 5 }, (_, i) => `rp${i}`);
    await Promise.all(clients.map((c) => runner.run(sessionDecider, 'session-s1', joinClient(c))));
    const events = await store.readStream('session-s1');
    expect(events.map((e) => e.streamVersion)).toEqual(Array.from({ length: 6 }, (_, i) => i + 1));
    expect(
      events
        .slice(1)
        .map((e) => (e.data as { clientId: string }).clientId)
        .sort(),
    ).toEqual([...clients].sort());
  });

  describe('kept folded states', () => {
    it('a load reads only the events after the state it kept, and folds to what a full read gives', async () => {
      const counted = countingReads(store);
      const runner = new CommandRunner(counted.store);
      await runner.runNew(sessionDecider, 'session-s1', start('s1'));
      for (const c of ['rp1', 'rp2', 'rp3']) {
        await runner.run(sessionDecider, 'session-s1', joinClient(c));
      }
      // Every run after the first read from the version its last append left.
      expect(counted.from).toEqual([2, 3, 4]);
      const kept = await runner.load(sessionDecider, 'session-s1');
      expect(counted.from.at(-1)).toBe(5);
      const whole = await new CommandRunner(store, { keptStreams: 0 }).load(
        sessionDecider,
        'session-s1',
      );
      expect(kept).toEqual(whole);
      expect(kept.version).toBe(4);
    });

    it('never serves a stale state: what another replica appended is read and folded in', async () => {
      const mine = new CommandRunner(store);
      const other = new CommandRunner(store);
      await mine.runNew(sessionDecider, 'session-s1', start('s1'));
      await mine.load(sessionDecider, 'session-s1');
      await other.run(sessionDecider, 'session-s1', joinClient('rp-other'));
      const { state, version } = await mine.load(sessionDecider, 'session-s1');
      expect(version).toBe(2);
      expect(state).toEqual((await other.load(sessionDecider, 'session-s1')).state);
      // And deciding against it sees the other replica's client: no duplicate join event.
      const again = await mine.run(sessionDecider, 'session-s1', joinClient('rp-other'));
      expect(again.appended).toHaveLength(0);
    });

    it('with keptStreams 0 every load reads the whole stream', async () => {
      const counted = countingReads(store);
      const runner = new CommandRunner(counted.store, { keptStreams: 0 });
      await runner.runNew(sessionDecider, 'session-s1', start('s1'));
      await runner.run(sessionDecider, 'session-s1', joinClient('rp1'));
      await runner.load(sessionDecider, 'session-s1');
      expect(counted.from).toEqual([undefined, undefined]);
    });

    it('events that do not continue the kept version make it read the whole stream again', async () => {
      // A store that can be made to answer tail reads with a gap (a real one never does).
      let gap = false;
      const from: (number | undefined)[] = [];
      const gappy = Object.create(store) as EventStore;
      gappy.readStream = async (stream, fromVersion) => {
        from.push(fromVersion);
        if (!gap || fromVersion === undefined) return store.readStream(stream, fromVersion);
        const last = (await store.readStream(stream)).slice(-1);
        return last.map((e) => ({ ...e, streamVersion: 9 }));
      };
      const runner = new CommandRunner(gappy);
      await runner.runNew(sessionDecider, 'session-s1', start('s1'));
      await runner.run(sessionDecider, 'session-s1', joinClient('rp1'));
      gap = true;
      from.length = 0;
      const { version } = await runner.load(sessionDecider, 'session-s1');
      expect(from).toEqual([3, undefined]);
      expect(version).toBe(2);
    });
  });
});
