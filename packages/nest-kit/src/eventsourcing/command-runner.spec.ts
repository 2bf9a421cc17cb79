import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** Counts the reads that reach the real store. */
function countingReads(store: EventStore): { store: EventStore; reads: () => number } {
  let reads = 0;
  const counted = Object.create(store) as EventStore;
  counted.readStream = (...args) => {
    reads++;
    return store.readStream(...args);
  };
  return { store: counted, reads: () => reads };
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
});
