import Database from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionClientJoined, freshEventMeta } from '@idp/contracts';
import { eventStoreContract, type RelayFactory } from '@idp/testing';
import { createEventStore } from './create-event-store';
import { OutboxRelay } from './outbox-relay';
import { migrations } from './sql/migrations';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'idp-eventstore-'));
}

async function open(file: string) {
  const store = await createEventStore({ driver: 'sqlite', file });
  const relayFactory: RelayFactory = (publisher, options) =>
    new OutboxRelay(store.outbox, publisher, options);
  return { store, relayFactory };
}

eventStoreContract('typeorm + SQLite (better-sqlite3)', async () => {
  const dir = await tempDir();
  // A folder that does not exist yet: the store creates its data folder.
  const file = join(dir, 'data', 'events.db');
  const first = await open(file);
  return {
    ...first,
    reopen: () => open(file),
    cleanup: async () => {
      await first.store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('SQLite event store file', () => {
  it('is in WAL mode, migrated once, and reopens with its events', async () => {
    const dir = await tempDir();
    const file = join(dir, 'events.db');
    try {
      const store = await createEventStore({ driver: 'sqlite', file });
      const event = SessionClientJoined.create({ sid: 's1', clientId: 'rp' }, freshEventMeta('c'));
      await store.append('session-s1', 0, [event]);
      await store.close();
      const again = await createEventStore({ driver: 'sqlite', file }); // migrations must be idempotent
      expect((await again.readStream('session-s1')).map((e) => e.id)).toEqual([event.id]);
      await again.close();

      const raw = new Database(file, { readonly: true });
      try {
        expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
        expect(raw.prepare('SELECT COUNT(*) AS n FROM eventstore_migrations').get()).toEqual({
          n: migrations.length,
        });
      } finally {
        raw.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rolls the events back when the outbox insert after them fails', async () => {
    const dir = await tempDir();
    const file = join(dir, 'events.db');
    try {
      await (await createEventStore({ driver: 'sqlite', file })).close();
      const raw = new Database(file);
      raw.exec(`CREATE TRIGGER reject_poison BEFORE INSERT ON outbox WHEN NEW.key = 'session-poison'
        BEGIN SELECT RAISE(ABORT, 'injected outbox failure'); END`);
      raw.close();
      const store = await createEventStore({ driver: 'sqlite', file });
      const event = () =>
        SessionClientJoined.create({ sid: 's', clientId: 'rp' }, freshEventMeta('c'));
      await expect(store.append('session-poison', 0, [event(), event()])).rejects.toThrow(
        /injected outbox failure/,
      );
      expect(await store.readAll('0', 10)).toEqual([]);
      await store.append('session-fine', 0, [event()]);
      expect(await store.readAll('0', 10)).toHaveLength(1);
      await store.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses to update or delete stored events', async () => {
    const dir = await tempDir();
    const file = join(dir, 'events.db');
    try {
      const store = await createEventStore({ driver: 'sqlite', file });
      await store.append('session-s1', 0, [
        SessionClientJoined.create({ sid: 's1', clientId: 'rp' }, freshEventMeta('c')),
      ]);
      await store.close();
      const raw = new Database(file);
      try {
        expect(() => raw.prepare("UPDATE events SET type = 'x.y'").run()).toThrow(/append-only/);
        expect(() => raw.prepare('DELETE FROM events').run()).toThrow(/append-only/);
      } finally {
        raw.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("migrations: 'verify' (read-only tools)", () => {
  it('opens a migrated store without changing it, and refuses one that is missing or behind', async () => {
    const dir = await tempDir();
    try {
      const empty = join(dir, 'empty.db');
      await expect(
        createEventStore({ driver: 'sqlite', file: empty, migrations: 'verify' }),
      ).rejects.toThrow(/no event store here/);
      // It created no tables: a wrong path is an error, not a new empty store.
      const raw = new Database(empty);
      expect(raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all()).toEqual([]);
      raw.close();

      const file = join(dir, 'events.db');
      const owner = await createEventStore({ driver: 'sqlite', file });
      await owner.append('session-v', 0, [
        SessionClientJoined.create({ sid: 'v', clientId: 'rp' }, freshEventMeta('c')),
      ]);
      await owner.close();
      const reader = await createEventStore({ driver: 'sqlite', file, migrations: 'verify' });
      expect((await reader.readStream('session-v')).map((e) => e.type)).toEqual([
        'session.client_joined',
      ]);
      await reader.close();

      // A release behind the schema's owner: one migration missing.
      const db = new Database(file);
      db.prepare('DELETE FROM eventstore_migrations WHERE name = ?').run(new migrations[1]!().name);
      db.close();
      await expect(
        createEventStore({ driver: 'sqlite', file, migrations: 'verify' }),
      ).rejects.toThrow(/not up to date/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
