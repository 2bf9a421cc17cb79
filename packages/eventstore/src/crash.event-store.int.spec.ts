import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createEventStore, type EventStoreOptions } from './create-event-store';
import { OutboxRelay } from './outbox-relay';
import type { OutboxMessage } from './outbox.port';

const url = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/idp_test';

/** Runs the appending child, SIGKILLs it once `acks` batches were acknowledged, returns the acknowledged ids. */
function appendUntilKilled(options: EventStoreOptions, acks: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const acked: string[] = [];
    const child = fork(join(__dirname, 'append-until-killed.child.js'), [JSON.stringify(options)], {
      stdio: 'inherit',
    });
    child.on('message', (message: { acked?: string[]; error?: string }) => {
      if (message.error) reject(new Error(message.error));
      acked.push(...(message.acked ?? []));
      if (acked.length >= 2 * acks) child.kill('SIGKILL');
    });
    child.on('exit', (_code, signal) =>
      signal === 'SIGKILL' ? resolve(acked) : reject(new Error('child exited by itself')),
    );
  });
}

/** After the kill: every acknowledged event is there, no batch is half there, each has its outbox row. */
async function expectIntact(options: EventStoreOptions, acked: readonly string[]): Promise<void> {
  const store = await createEventStore(options);
  const published: OutboxMessage[] = [];
  const relay = new OutboxRelay(
    store.outbox,
    { publish: async (_t, m) => void published.push(...m) },
    { batchSize: 500 },
  );
  try {
    const all = await store.readAll('0', 100_000);
    const stored = new Set(all.map((e) => e.id));
    expect(acked.filter((id) => !stored.has(id))).toEqual([]);
    for (const stream of new Set(all.map((e) => e.stream))) {
      const versions = all.filter((e) => e.stream === stream).map((e) => e.streamVersion);
      expect(versions).toEqual(versions.map((_, i) => i + 1));
      expect(versions.length % 2).toBe(0);
    }
    expect(await relay.pendingCount()).toBe(all.length);
    relay.start();
    await relay.flush();
    expect(published.map((m) => m.value.id)).toEqual(all.map((e) => e.id));
  } finally {
    await relay.stop();
    await store.close();
  }
}

describe('a writer killed mid-append (SIGKILL)', () => {
  jest.setTimeout(60_000);

  it('SQLite: loses no acknowledged event and leaves no half batch', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'idp-eventstore-crash-'));
    try {
      const options: EventStoreOptions = { driver: 'sqlite', file: join(dir, 'events.db') };
      await expectIntact(options, await appendUntilKilled(options, 200));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('PostgreSQL: loses no acknowledged event and leaves no half batch', async () => {
    const schema = `es_test_${randomBytes(6).toString('hex')}`;
    const options: EventStoreOptions = { driver: 'postgres', url, schema };
    try {
      await expectIntact(options, await appendUntilKilled(options, 200));
    } finally {
      const client = new Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => client.end());
    }
  });
});
