import { randomBytes } from '@idp/crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import {
  freshEventMeta,
  partitionKey,
  SessionClientJoined,
  topicForStream,
  uuidv7,
} from '@idp/contracts';
import { createEventStore } from './create-event-store';
import { ConcurrencyError, type StoredEvent } from './event-store.port';
import { OutboxRelay } from './outbox-relay';
import type { OutboxMessage } from './outbox.port';
import { INSERT_EVENT_COLUMNS } from './sql/event-rows';
import { migrations } from './sql/migrations';
import { openDataSource } from './sql/open-data-source';

/*
 * ADR 0024: appends take no global lock, so transactions commit in any order
 * relative to the positions they drew. These tests force that: writers on
 * separate pools, plus a raw connection that inserts an event through the
 * store's own columns and keeps its transaction open while the writers
 * commit rows with higher positions, then commits last.
 */

const url = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/idp_test';
const newSchema = () => `es_xid_${randomBytes(6).toString('hex')}`;
const SEQ_SPAN = 10n ** 15n;

async function connect(schema?: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  await client.connect();
  if (schema) await client.query(`SET search_path TO "${schema}"`);
  return client;
}

async function dropSchema(schema: string): Promise<void> {
  const client = await connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

const joined = (stream: string, n: number) =>
  SessionClientJoined.create({ sid: stream, clientId: `rp-${n}` }, freshEventMeta(`corr-${n}`));

const open = (schema: string) => createEventStore({ driver: 'postgres', url, schema, poolSize: 4 });

/**
 * Writes one event the way the store does (events row, then its outbox row)
 * in a transaction it leaves open: `commit()` ends it. Returns the identity
 * it drew, which every append made meanwhile exceeds.
 */
async function openLaggard(schema: string, stream: string) {
  const client = await connect(schema);
  const event = joined(stream, 0);
  await client.query('BEGIN');
  const { rows } = await client.query<{ position: string }>(
    `INSERT INTO events (${INSERT_EVENT_COLUMNS})
     VALUES ($1, $2, 1, $3, $4, $5, $6, NULL, NULL, NULL, $7)
     RETURNING CAST(position AS TEXT) AS position`,
    [
      event.id,
      stream,
      event.type,
      event.version,
      event.occurredAt,
      event.correlationId,
      JSON.stringify(event.data),
    ],
  );
  const seq = BigInt(rows[0]!.position);
  await client.query(
    'INSERT INTO outbox (position, topic, key, created_at) VALUES ($1, $2, $3, now())',
    [seq.toString(), topicForStream(stream), partitionKey(stream)],
  );
  return {
    id: event.id,
    seq,
    commit: async () => {
      await client.query('COMMIT');
      await client.end();
    },
  };
}

describe('PostgreSQL appends without a global lock (ADR 0024)', () => {
  let schema: string;
  beforeEach(() => {
    schema = newSchema();
  });
  afterEach(() => dropSchema(schema));

  it('four writers on separate pools commit out of position order; a tailing reader and the relay still see every event once, in order', async () => {
    const WRITERS = 4;
    const CALLERS = 8;
    const APPENDS = 12;
    const LAGGARDS = 4;
    const writers = await Promise.all(Array.from({ length: WRITERS }, () => open(schema)));
    const reader = await open(schema);
    const published: OutboxMessage[] = [];
    const relay = new OutboxRelay(
      reader.outbox,
      { publish: async (_topic, messages) => void published.push(...messages) },
      { sweepIntervalMs: 10, batchSize: 25 },
    );
    const shared = ['a', 'b'].map((s) => `session-shared-${s}-${uuidv7()}`);
    /** Public positions of the writers' acknowledged appends, in acknowledgement order. */
    const acknowledged: string[] = [];
    let writing = true;
    let laggardsDone = false;
    try {
      relay.start();
      const seen: StoredEvent[] = [];
      let lastNew = Date.now();
      const tail = (async () => {
        for (let from = '0'; ;) {
          const page = await reader.readAll(from, 40);
          seen.push(...page);
          if (page.length > 0) from = page.at(-1)!.position;
          // An empty page only says nothing is visible YET: a transaction open anywhere in
          // the cluster holds the xmin horizon back (ADR 0024), so the last commit may show
          // on a later read. Tail until every acknowledged event arrived (the assertions
          // below then check order and uniqueness), or give up after 10 s of nothing new.
          else if (!writing && seen.length >= acknowledged.length + LAGGARDS) return;
          else if (!writing && Date.now() - lastNew > 10_000) return;
          else await sleep(1);
          if (page.length > 0) lastNew = Date.now();
        }
      })();

      const laggards = (async () => {
        for (let i = 0; i < LAGGARDS; i++) {
          const laggard = await openLaggard(schema, `session-laggard-${uuidv7()}`);
          const before = acknowledged.length;
          // Hold the lower position open until another writer has committed above it. Counting
          // 10 acknowledgements was not enough: with 32 appends in flight, all 10 could be
          // appends that took their (lower) positions before the laggard did. Without a global
          // lock one commits above it within moments; 10 s without one fails the check below.
          const above = () =>
            acknowledged.slice(before).some((p) => BigInt(p) % SEQ_SPAN > laggard.seq);
          const deadline = Date.now() + 10_000;
          while (!above() && writing && Date.now() < deadline) await sleep(5);
          const overtaken = above();
          await laggard.commit();
          expect(overtaken).toBe(true);
        }
      })().finally(() => (laggardsDone = true));

      const appending = Promise.all(
        writers.flatMap((store, w) =>
          Array.from({ length: CALLERS }, async (_, c) => {
            const own = `session-w${w}-c${c}-${uuidv7()}`;
            // At least APPENDS each, and on until every laggard was overtaken.
            for (let n = 0; n < APPENDS || !laggardsDone; n++) {
              // Half to the caller's own stream (exact versions), half to a
              // stream every writer shares ('any': retried on a lost race).
              const toShared = n % 2 === 1;
              const stream = toShared ? shared[(w + n) % shared.length]! : own;
              const event = joined(stream, n);
              for (;;) {
                try {
                  const { positions } = await store.append(stream, toShared ? 'any' : n / 2, [
                    event,
                  ]);
                  acknowledged.push(...positions);
                  break;
                } catch (err) {
                  // 'any' gives up after a few lost races; a caller would retry.
                  if (!(err instanceof ConcurrencyError)) throw err;
                }
              }
            }
          }),
        ),
      );
      await Promise.all([appending, laggards]);
      writing = false;
      await tail;
      await relay.flush();

      const all = await reader.readAll('0', 100_000);
      expect(all).toHaveLength(acknowledged.length + LAGGARDS);
      // The reader saw every committed event exactly once, in the same order as a fresh read ...
      expect(seen.map((e) => e.id)).toEqual(all.map((e) => e.id));
      // ... never a later position and then an earlier one ...
      const positions = seen.map((e) => BigInt(e.position));
      positions.slice(1).forEach((p, i) => expect(p > positions[i]!).toBe(true));
      // ... and each stream in stream_version order, gap-free.
      const streams = new Set(seen.map((e) => e.stream));
      for (const stream of streams) {
        const versions = seen.filter((e) => e.stream === stream).map((e) => e.streamVersion);
        expect(versions).toEqual(versions.map((_, i) => i + 1));
        const sent = published.filter((m) => m.key === stream).map((m) => m.value.streamVersion);
        expect(sent).toEqual(versions);
      }
      expect(published).toHaveLength(all.length);
    } finally {
      writing = false;
      await relay.stop();
      await Promise.all([...writers, reader].map((s) => s.close()));
    }
  }, 120_000);

  it('readAll right after an append returns it once an older open transaction ends', async () => {
    const store = await open(schema);
    const blocker = await connect();
    try {
      await store.append('session-before', 0, [joined('session-before', 0)]);
      // An unrelated transaction with an id older than the append's, still open.
      await blocker.query('BEGIN');
      await blocker.query('SELECT pg_current_xact_id()');
      const { positions } = await store.append('session-after', 0, [joined('session-after', 1)]);
      const read = store.readAll('0', 10);
      await sleep(100);
      await blocker.query('COMMIT');
      expect((await read).map((e) => e.position)).toContain(positions[0]);
    } finally {
      await blocker.end();
      await store.close();
    }
  });

  it('does not wait long on a transaction that stays open: the page comes back short', async () => {
    const store = await open(schema);
    const blocker = await connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT pg_current_xact_id()');
      await store.append('session-held', 0, [joined('session-held', 0)]);
      const started = Date.now();
      expect(await store.readAll('0', 10)).toEqual([]);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(await store.lastPosition()).toBe('0');
      await blocker.query('COMMIT');
      const [event] = await store.readAll('0', 10);
      expect(await store.lastPosition()).toBe(event!.position);
      expect(await store.countEvents()).toBe(1);
    } finally {
      await blocker.end();
      await store.close();
    }
  });

  it('keeps the old positions of events written before the upgrade, and old checkpoints valid', async () => {
    const before = migrations.slice(0, -1);
    const { dataSource } = await openDataSource(
      { driver: 'postgres', url, schema, poolSize: 2 },
      {
        what: 'event store',
        owner: 'test',
        migrations: before,
        table: 'eventstore_migrations',
        lockKey: '24',
        defaultPoolSize: 1,
      },
    );
    // Written as the store did before ADR 0024 (no tx column yet).
    for (const version of [1, 2, 3]) {
      const e = joined('session-legacy', version);
      await dataSource.query(
        `INSERT INTO events (${INSERT_EVENT_COLUMNS})
         VALUES ($1, 'session-legacy', $2, $3, $4, $5, $6, NULL, NULL, NULL, $7)`,
        [e.id, version, e.type, e.version, e.occurredAt, e.correlationId, JSON.stringify(e.data)],
      );
    }
    await dataSource.destroy();

    const store = await open(schema);
    try {
      const old = await store.readAll('0', 10);
      expect(old.map((e) => e.position)).toEqual(['1', '2', '3']);
      await store.append('session-legacy', 3, [joined('session-legacy', 4)]);
      // A checkpoint taken before the upgrade reads on: the old rest, then the new event.
      const rest = await store.readAll('2', 10);
      expect(rest.map((e) => e.streamVersion)).toEqual([3, 4]);
      expect(BigInt(rest[1]!.position)).toBeGreaterThan(SEQ_SPAN);
    } finally {
      await store.close();
    }
  }, 30_000);
});
