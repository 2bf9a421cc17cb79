import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { SessionClientJoined, uuidv7, freshEventMeta } from '@idp/contracts';
import { eventStoreContract, type RelayFactory } from '@idp/testing';
import { createEventStore } from './create-event-store';
import type { OutboxMessage } from './outbox.port';
import { OutboxRelay } from './outbox-relay';
import type { StoredEvent } from './event-store.port';

const url = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/idp_test';

/** Each run gets its own schema, so parallel runs (and people) never collide. */
const newSchema = () => `es_test_${randomBytes(6).toString('hex')}`;

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const dropSchema = (schema: string) => admin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
const joined = (stream: string, clientId = 'rp') =>
  SessionClientJoined.create({ sid: stream, clientId }, freshEventMeta('c'));

async function open(schema: string) {
  const store = await createEventStore({ driver: 'postgres', url, schema, poolSize: 8 });
  const relayFactory: RelayFactory = (publisher, options) =>
    new OutboxRelay(store.outbox, publisher, options);
  return { store, relayFactory };
}

eventStoreContract('typeorm + PostgreSQL', async () => {
  const schema = newSchema();
  const first = await open(schema);
  return {
    ...first,
    reopen: () => open(schema),
    cleanup: async () => {
      await first.store.close();
      await dropSchema(schema);
    },
  };
});

describe('PostgreSQL event store specifics', () => {
  let schema: string;
  beforeEach(() => {
    schema = newSchema();
  });
  afterEach(() => dropSchema(schema));

  it('rolls the events back when the outbox insert after them fails', async () => {
    const { store } = await open(schema);
    try {
      await admin(`CREATE FUNCTION "${schema}".reject_poison() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.key = 'session-poison' THEN RAISE EXCEPTION 'injected outbox failure'; END IF; RETURN NEW; END $$`);
      await admin(`CREATE TRIGGER reject_poison BEFORE INSERT ON "${schema}".outbox
        FOR EACH ROW EXECUTE FUNCTION "${schema}".reject_poison()`);
      await expect(store.append('session-poison', 0, [joined('poison')])).rejects.toThrow(
        /injected outbox failure/,
      );
      expect(await store.readAll('0', 10)).toEqual([]);
      await store.append('session-fine', 0, [joined('fine')]);
      expect(await store.readAll('0', 10)).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it('refuses to update or delete stored events', async () => {
    const { store } = await open(schema);
    try {
      await store.append('session-s1', 0, [joined('s1')]);
      await expect(admin(`UPDATE "${schema}".events SET type = 'x.y'`)).rejects.toThrow(
        /append-only/,
      );
      await expect(admin(`DELETE FROM "${schema}".events`)).rejects.toThrow(/append-only/);
    } finally {
      await store.close();
    }
  });

  it('migrates once when several replicas boot together', async () => {
    const replicas = await Promise.all([1, 2, 3, 4].map(() => open(schema)));
    try {
      await replicas[0]!.store.append('session-s1', 0, [joined('s1')]);
      for (const r of replicas) expect(await r.store.readStream('session-s1')).toHaveLength(1);
    } finally {
      await Promise.all(replicas.map((r) => r.store.close()));
    }
  });

  it('lets one relay publish when relays on separate pools compete, each event exactly once', async () => {
    const replicas = await Promise.all([1, 2, 3].map(() => open(schema)));
    const published: OutboxMessage[] = [];
    const relays = replicas.map((r) =>
      r.relayFactory(
        { publish: async (_topic, messages) => void published.push(...messages) },
        { sweepIntervalMs: 10, batchSize: 5 },
      ),
    );
    try {
      relays.forEach((r) => r.start());
      const streams = [1, 2, 3, 4].map(() => `session-${uuidv7()}`);
      await Promise.all(
        streams.map(async (stream, i) => {
          const replica = replicas[i % replicas.length]!;
          for (let v = 0; v < 10; v++) {
            await replica.store.append(stream, v, [joined(stream, `rp${v}`)]);
            relays.forEach((r) => r.notify());
          }
        }),
      );
      await Promise.all(relays.map((r) => r.flush()));
      const all = await replicas[0]!.store.readAll('0', 1000);
      expect(published.map((m) => m.value.id).sort()).toEqual(all.map((e) => e.id).sort());
      for (const stream of streams) {
        const versions = published
          .filter((m) => m.key === stream)
          .map((m) => m.value.streamVersion);
        expect(versions).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      }
    } finally {
      await Promise.all(relays.map((r) => r.stop()));
      await Promise.all(replicas.map((r) => r.store.close()));
    }
  });

  it('never lets a reader tailing readAll skip an event committed by a concurrent writer', async () => {
    const writers = await Promise.all([1, 2, 3].map(() => open(schema)));
    const reader = await open(schema);
    try {
      let done = false;
      const seen: StoredEvent[] = [];
      const tail = (async () => {
        for (let from = '0'; ;) {
          const page = await reader.store.readAll(from, 50);
          seen.push(...page);
          if (page.length > 0) from = page[page.length - 1]!.position;
          else if (done) return;
        }
      })();
      await Promise.all(
        writers.flatMap((w) =>
          [1, 2, 3, 4].map(async () => {
            const stream = `session-${uuidv7()}`;
            for (let v = 0; v < 15; v++) {
              await w.store.append(stream, v, [joined(stream)]);
            }
          }),
        ),
      );
      done = true;
      await tail;
      const all = await reader.store.readAll('0', 10_000);
      expect(all).toHaveLength(3 * 4 * 15);
      expect(seen.map((e) => e.id)).toEqual(all.map((e) => e.id));
    } finally {
      await Promise.all([...writers, reader].map((r) => r.store.close()));
    }
  });
});

describe("PostgreSQL migrations: 'verify'", () => {
  it('refuses a schema that does not exist, without creating it, and reads a migrated one', async () => {
    const schema = newSchema();
    try {
      await expect(
        createEventStore({ driver: 'postgres', url, schema, migrations: 'verify' }),
      ).rejects.toThrow(/no event store here/);
      const client = new Client({ connectionString: url });
      await client.connect();
      const found = await client.query(
        'SELECT 1 FROM information_schema.schemata WHERE schema_name = $1',
        [schema],
      );
      await client.end();
      expect(found.rowCount).toBe(0);

      const owner = await createEventStore({ driver: 'postgres', url, schema });
      await owner.append('session-v', 0, [joined('v')]);
      await owner.close();
      const reader = await createEventStore({
        driver: 'postgres',
        url,
        schema,
        migrations: 'verify',
      });
      expect(await reader.readStream('session-v')).toHaveLength(1);
      await reader.close();
    } finally {
      await dropSchema(schema);
    }
  });
});
