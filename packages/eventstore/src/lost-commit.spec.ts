import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionClientJoined, uuidv7, freshEventMeta } from '@idp/contracts';
import { sqliteDialect } from './sql/dialect';
import { migrations } from './sql/migrations';
import { openDataSource } from './sql/open-data-source';
import { SqlDb, type Sql } from './sql/sql-db';
import { TypeOrmEventStore } from './typeorm.event-store';

/** What node-postgres says when the socket goes while it waits for an answer. */
const lostConnection = () => new Error('Connection terminated unexpectedly');

/**
 * A database whose next transaction loses its connection: before its work
 * (nothing committed) or after its COMMIT (committed, but the answer never
 * arrived). From the store's side both look the same: ADR 0014.
 */
class FlakyDb extends SqlDb {
  lose: 'before' | 'after-commit' | undefined;

  override async transaction<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    const lose = this.lose;
    this.lose = undefined;
    if (lose === 'before') throw lostConnection();
    const result = await super.transaction(work);
    if (lose === 'after-commit') throw lostConnection();
    return result;
  }
}

const joined = (stream: string, clientId: string) =>
  SessionClientJoined.create({ sid: stream, clientId }, freshEventMeta('c'));

describe('an append whose connection was lost', () => {
  let dir: string;
  let db: FlakyDb;
  let store: TypeOrmEventStore;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'idp-lost-commit-'));
    const { dataSource } = await openDataSource(
      { driver: 'sqlite', file: join(dir, 'events.db') },
      {
        what: 'event store',
        owner: 'test',
        migrations,
        table: 'eventstore_migrations',
        lockKey: '0',
        defaultPoolSize: 1,
      },
    );
    db = new FlakyDb(dataSource, sqliteDialect(), { warn: () => undefined });
    store = new TypeOrmEventStore(db);
  });

  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('succeeds with what was stored when the commit went through, and is not written twice', async () => {
    const stream = `session-${uuidv7()}`;
    db.lose = 'after-commit';
    const result = await store.append(stream, 0, [joined(stream, 'a'), joined(stream, 'b')]);
    const events = await store.readStream(stream);
    expect(events).toHaveLength(2);
    expect(result).toEqual({ nextVersion: 2, positions: events.map((e) => e.position) });
    // The next append at the version it returned works: nothing was left half-done.
    await expect(store.append(stream, 2, [joined(stream, 'c')])).resolves.toMatchObject({
      nextVersion: 3,
    });
  });

  it('writes it once when it provably did not commit', async () => {
    const stream = `session-${uuidv7()}`;
    db.lose = 'before';
    await expect(store.append(stream, 0, [joined(stream, 'a')])).resolves.toMatchObject({
      nextVersion: 1,
    });
    expect(await store.readStream(stream)).toHaveLength(1);
  });

  it('still fails a wrong expected version after settling, as it would have', async () => {
    const stream = `session-${uuidv7()}`;
    await store.append(stream, 0, [joined(stream, 'a')]);
    db.lose = 'before';
    await expect(store.append(stream, 0, [joined(stream, 'b')])).rejects.toMatchObject({
      name: 'ConcurrencyError',
    });
    expect(await store.readStream(stream)).toHaveLength(1);
  });
});
