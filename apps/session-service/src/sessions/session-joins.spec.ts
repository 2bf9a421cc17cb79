import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@idp/config';
import { createEventStore, type EventStore } from '@idp/eventstore';
import { CommandRunner } from '@idp/eventsourcing';
import { sessionStream } from '@idp/domain';
import { SessionService } from './session.service';

/** Over a real SQLite event store, counting the runner's stream reads. */
describe('SessionService.join', () => {
  let dir: string;
  let store: EventStore;
  let sessions: SessionService;
  let reads: jest.SpyInstance;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'idp-session-joins-'));
    store = await createEventStore({ driver: 'sqlite', file: join(dir, 'events.db') });
    sessions = new SessionService(new CommandRunner(store), loadConfig({ PORT: '0' }), store);
    reads = jest.spyOn(store, 'readStream');
  });
  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const typesOf = async (sid: string) =>
    (await store.readStream(sessionStream(sid))).map((e) => e.type);

  it('a client already in the session joins again without a read (every refresh repeats it)', async () => {
    const { sid } = await sessions.start({ sub: 'u1', amr: ['pwd'] });
    await sessions.join(sid, 'rp-a', 'g1', 'c1');
    reads.mockClear();
    await sessions.join(sid, 'rp-a', 'g1', 'c2');
    await sessions.join(sid, 'rp-a', 'g2', 'c3');
    expect(reads).not.toHaveBeenCalled();
    // A client not yet in it is read and decided as before.
    await sessions.join(sid, 'rp-b', 'g3', 'c4');
    expect(reads).toHaveBeenCalled();
    expect(await typesOf(sid)).toEqual([
      'session.started',
      'session.client_joined',
      'session.client_joined',
    ]);
  });

  it('after the end: a listed client still needs nothing, a new one is told of the end', async () => {
    const { sid } = await sessions.start({ sub: 'u2', amr: ['pwd'] });
    await sessions.join(sid, 'rp-a', 'g1', 'c1');
    await sessions.end({ sid, reason: 'rp_logout' });
    await sessions.join(sid, 'rp-a', 'g1', 'c2');
    await sessions.join(sid, 'rp-late', 'g2', 'c3');
    expect(await typesOf(sid)).toEqual([
      'session.started',
      'session.client_joined',
      'session.ended',
      'session.client_joined_after_end',
    ]);
  });

  it('a join decided elsewhere (another replica) is still caught by the read', async () => {
    const { sid } = await sessions.start({ sub: 'u3', amr: ['pwd'] });
    const elsewhere = new SessionService(
      new CommandRunner(store),
      loadConfig({ PORT: '0' }),
      store,
    );
    await elsewhere.join(sid, 'rp-a', 'g1', 'c1');
    await sessions.join(sid, 'rp-a', 'g1', 'c2');
    expect(await typesOf(sid)).toEqual(['session.started', 'session.client_joined']);
  });
});
