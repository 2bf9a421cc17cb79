import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@idp/config';
import { UserCreated, UserDeleted, type DomainEvent, freshEventMeta } from '@idp/contracts';
import { createEventStore, type EventStore } from '@idp/eventstore';
import { CommandRunner } from '@idp/eventsourcing';
import { asStored } from '@idp/testing';
import { sessionStream } from '@idp/domain';
import { SessionService } from './session.service';
import { UserEventsConsumer } from './user-events.consumer';

/** Over a real SQLite event store: sessions are found by the indexed sub. */
describe('UserEventsConsumer', () => {
  let dir: string;
  let store: EventStore;
  let sessions: SessionService;
  let consumer: UserEventsConsumer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'idp-session-users-'));
    store = await createEventStore({ driver: 'sqlite', file: join(dir, 'events.db') });
    sessions = new SessionService(new CommandRunner(store), loadConfig({ PORT: '0' }), store);
    consumer = new UserEventsConsumer(sessions);
  });
  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const stored = (e: { type: string; data: unknown }) =>
    asStored(e as never, 'user-x') as unknown as DomainEvent;

  it("a deleted user's sessions end (reason admin), everybody else's stay", async () => {
    const gone = [await sessions.start({ sub: 'gone', amr: ['pwd'] })];
    gone.push(await sessions.start({ sub: 'gone', amr: ['pwd'] }));
    const stays = await sessions.start({ sub: 'stays', amr: ['pwd'] });

    await consumer.onUserEvent(stored(UserDeleted.create({ sub: 'gone' }, freshEventMeta('c'))));

    for (const s of gone) {
      expect(await sessions.get(s.sid)).toBeNull();
      const events = await store.readStream(sessionStream(s.sid));
      expect(events.at(-1)).toMatchObject({ type: 'session.ended', data: { reason: 'admin' } });
    }
    expect(await sessions.get(stays.sid)).not.toBeNull();

    // Redelivered: nothing more is appended.
    const before = await store.readStream(sessionStream(gone[0]!.sid));
    await consumer.onUserEvent(stored(UserDeleted.create({ sub: 'gone' }, freshEventMeta('c'))));
    expect(await store.readStream(sessionStream(gone[0]!.sid))).toHaveLength(before.length);
  });

  it('ignores other user events', async () => {
    const live = await sessions.start({ sub: 'kept', amr: ['pwd'] });
    const created = UserCreated.create(
      { sub: 'kept', username: 'kept', passwordHash: 'x', claims: {} },
      freshEventMeta('c'),
    );
    await consumer.onUserEvent(stored(created));
    expect(await sessions.get(live.sid)).not.toBeNull();
  });
});
