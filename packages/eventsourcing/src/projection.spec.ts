import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ClientDeleted,
  SessionClientJoined,
  type DomainEvent,
  freshEventMeta,
} from '@idp/contracts';
import { createEventStore, type EventStore } from '@idp/eventstore';
import { Projector, type Projection } from './projection';

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Records what it saw, and how many of its applies ran at once at most. */
function recording(name: string, handles: DomainEvent['type'][], orderIndependent: boolean) {
  const seen: string[] = [];
  let running = 0;
  let maxRunning = 0;
  const projection: Projection & { seen: string[]; maxRunning: () => number } = {
    name,
    handles,
    orderIndependent,
    seen,
    maxRunning: () => maxRunning,
    async apply(event) {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await tick();
      seen.push(event.id);
      running--;
    },
  };
  return projection;
}

describe('Projector.replay', () => {
  let dir: string;
  let store: EventStore;
  const appended: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'projector-'));
    store = await createEventStore({ driver: 'sqlite', file: join(dir, 'events.db') });
    for (let i = 0; i < 25; i++) {
      const sid = `s${i}`;
      const joined = SessionClientJoined.create({ sid, clientId: 'rp' }, freshEventMeta('c'));
      await store.append(`session-${sid}`, 0, [joined]);
      appended.push(joined.id);
      if (i % 5 === 0) {
        const deleted = ClientDeleted.create({ clientId: `c${i}` }, freshEventMeta('c'));
        await store.append(`client-c${i}`, 0, [deleted]);
        appended.push(deleted.id);
      }
    }
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives an order-dependent projection its events one at a time, in position order', async () => {
    const ordered = recording('ordered', ['session.client_joined', 'client.deleted'], false);
    const report = await new Projector([ordered]).replay(store, { batchSize: 4 });
    expect(report).toEqual({ events: appended.length, applied: appended.length });
    expect(ordered.seen).toEqual(appended);
    expect(ordered.maxRunning()).toBe(1);
  });

  it('applies a batch concurrently to an order-independent projection, alongside the others', async () => {
    const free = recording('free', ['session.client_joined'], true);
    const ordered = recording('ordered', ['client.deleted'], false);
    const report = await new Projector([free, ordered]).replay(store, { batchSize: 10 });
    expect(report).toEqual({ events: appended.length, applied: appended.length });
    expect([...free.seen].sort()).toEqual(
      appended.filter((id) => !ordered.seen.includes(id)).sort(),
    );
    expect(free.maxRunning()).toBeGreaterThan(1);
    expect(ordered.seen).toHaveLength(5);
    expect(ordered.maxRunning()).toBe(1);
  });

  it('rejects when a read fails, prefetched or not, and leaves no unhandled rejection', async () => {
    let reads = 0;
    const failing = Object.create(store) as EventStore;
    failing.readAll = (from, limit) =>
      ++reads === 2 ? Promise.reject(new Error('database gone')) : store.readAll(from, limit);
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const p = new Projector([recording('p', ['session.client_joined'], true)]);
      await expect(p.replay(failing, { batchSize: 3 })).rejects.toThrow('database gone');
      await tick();
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });
});
