import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@idp/config';
import { SSF_DELIVERY_POLL, SSF_EVENT_TYPES } from '@idp/contracts';
import { createEventStore, type EventStore } from '@idp/eventstore';
import { CommandRunner } from '@idp/eventsourcing';
import { OAuthError } from '@idp/oauth-errors';
import { AuthorizationBox } from './authorization-box';
import { SetFanOut } from './set-fan-out';
import { createSsfStore } from './sql/create-ssf-store';
import type { SqlSsfStore } from './sql/sql.ssf-store';
import { SsfStreams } from './ssf-streams.service';

/** Over real SQLite stores (events and the SSF tables). */
describe('SsfStreams', () => {
  let dir: string;
  let events: EventStore;
  let store: SqlSsfStore;

  const streamsWith = (env: Record<string, string> = {}) =>
    new SsfStreams(
      new CommandRunner(events),
      store,
      loadConfig({ PORT: '0', ISSUER: 'https://idp.example', ...env }),
      new AuthorizationBox(undefined),
      new SetFanOut(store, () => undefined),
    );
  const createPoll = async (streams: SsfStreams) =>
    streams.create('rs-1', {
      events_requested: [SSF_EVENT_TYPES.tokenRevoked],
      delivery: { method: SSF_DELIVERY_POLL },
    });
  const pending = async (streamId: string) =>
    (await store.pendingPolled(streamId, 100)).map((d) => d.eventType);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'idp-ssf-streams-'));
    events = await createEventStore({ driver: 'sqlite', file: join(dir, 'events.db') });
    store = await createSsfStore({ driver: 'sqlite', file: join(dir, 'ssf.sqlite') });
  });
  afterEach(async () => {
    await store.close();
    await events.close();
    await rm(dir, { recursive: true, force: true });
  });

  describe('min_verification_interval (SSF 1.0 8.1.4.2)', () => {
    it('is in the configuration, and a second verification within it is 429 with Retry-After', async () => {
      const streams = streamsWith({ SSF_MIN_VERIFICATION_INTERVAL_S: '30' });
      const created = await createPoll(streams);
      expect(created.min_verification_interval).toBe(30);
      const [read] = await streams.read('rs-1', created.stream_id);
      expect(read!.min_verification_interval).toBe(30);

      await streams.verify('rs-1', created.stream_id, 'first');
      const refused = await streams.verify('rs-1', created.stream_id, 'second').then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(refused).toBeInstanceOf(OAuthError);
      expect(refused).toMatchObject({ status: 429, error: 'temporarily_unavailable' });
      const retryAfter = Number((refused as OAuthError).headers['Retry-After']);
      expect(retryAfter).toBeGreaterThanOrEqual(29);
      expect(retryAfter).toBeLessThanOrEqual(30);
      // One verification SET queued, not two.
      expect(await pending(created.stream_id)).toEqual([SSF_EVENT_TYPES.verification]);
    });

    it('a verification whose SET could not be queued does not count against the interval', async () => {
      const fanOut = new SetFanOut(store, () => undefined);
      const streams = new SsfStreams(
        new CommandRunner(events),
        store,
        loadConfig({ PORT: '0', ISSUER: 'https://idp.example' }),
        new AuthorizationBox(undefined),
        fanOut,
      );
      const created = await createPoll(streams);
      const queue = jest.spyOn(fanOut, 'queue').mockRejectedValueOnce(new Error('database down'));
      await expect(streams.verify('rs-1', created.stream_id, 'lost')).rejects.toThrow();
      queue.mockRestore();
      // The receiver's retry goes through at once, and its SET is the one queued.
      await streams.verify('rs-1', created.stream_id, 'retried');
      expect(await pending(created.stream_id)).toEqual([SSF_EVENT_TYPES.verification]);
    });

    it('defaults to 60 seconds; 0 lifts the limit and leaves the member out', async () => {
      expect((await createPoll(streamsWith())).min_verification_interval).toBe(60);
      const unlimited = streamsWith({ SSF_MIN_VERIFICATION_INTERVAL_S: '0' });
      const created = await createPoll(unlimited);
      expect(created).not.toHaveProperty('min_verification_interval');
      await unlimited.verify('rs-1', created.stream_id, 'a');
      await unlimited.verify('rs-1', created.stream_id, 'b');
      expect(await pending(created.stream_id)).toHaveLength(2);
    });
  });

  describe('a disabled stream holds no events (SSF 1.0 8.1.2.1)', () => {
    it('drops what it held when disabled, and when re-enabled gets only what comes after', async () => {
      const streams = streamsWith({ SSF_MIN_VERIFICATION_INTERVAL_S: '0' });
      const { stream_id: id } = await createPoll(streams);
      await streams.setStatus('rs-1', id, 'paused');
      await streams.verify('rs-1', id, 'held while paused');
      expect(await pending(id)).toHaveLength(2); // stream-updated (paused) and the verification
      await streams.setStatus('rs-1', id, 'disabled');
      expect(await pending(id)).toEqual([]);

      // A fan-out that read the working copy before the disable and committed after the drop
      // (possible on PostgreSQL under concurrency): its row lands while the stream is disabled.
      await (store as unknown as RawStore).db.run((sql) =>
        sql.exec(
          `INSERT INTO ssf_deliveries (stream_id, jti, client_id, event_type, source_key, method,
               claims, status, attempts, next_attempt_at, created_at, updated_at)
             VALUES (?, 'raced', 'rs-1', ?, 'raced', 'poll', '{}', 'pending', 0, 0, 0, 0)`,
          [id, SSF_EVENT_TYPES.tokenRevoked],
        ),
      );
      await streams.setStatus('rs-1', id, 'enabled');
      // Only the stream-updated SET of the re-enabling itself.
      expect(await pending(id)).toEqual([SSF_EVENT_TYPES.streamUpdated]);
    });

    it('paused keeps holding: enabling again delivers what was held', async () => {
      const streams = streamsWith({ SSF_MIN_VERIFICATION_INTERVAL_S: '0' });
      const { stream_id: id } = await createPoll(streams);
      await streams.setStatus('rs-1', id, 'paused');
      await streams.verify('rs-1', id, 'held');
      await streams.setStatus('rs-1', id, 'enabled');
      expect((await pending(id)).sort()).toEqual(
        [
          SSF_EVENT_TYPES.streamUpdated,
          SSF_EVENT_TYPES.verification,
          SSF_EVENT_TYPES.streamUpdated,
        ].sort(),
      );
    });
  });
});

/** The SQL runner inside SqlSsfStore, to write a row the store's own methods would refuse. */
interface RawStore {
  readonly db: {
    run(
      work: (sql: { exec(sql: string, params: unknown[]): Promise<number> }) => Promise<number>,
    ): Promise<number>;
  };
}
