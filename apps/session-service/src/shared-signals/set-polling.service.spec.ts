import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TokenRpcClient } from '@idp/contracts';
import type { HealthRegistry } from '@idp/nest-kit';
import type { NewSetDelivery } from './set-delivery';
import { PollWakeUps, wakingHeldPolls } from './poll-wake-ups';
import { SetPolling } from './set-polling.service';
import { createSsfStore } from './sql/create-ssf-store';
import type { SqlSsfStore } from './sql/sql.ssf-store';
import type { StreamRow } from './ssf-store.port';

const TYPE = 'urn:idp:secevent:event-type:token-revoked';
const RECHECK_MS = 50;

const stream = (over: Partial<StreamRow> = {}): StreamRow => ({
  streamId: 'st-1',
  clientId: 'rs-1',
  status: 'enabled',
  method: 'poll',
  eventsDelivered: [TYPE],
  excluded: [],
  version: 1,
  ...over,
});

const delivery = (n: number): NewSetDelivery => ({
  streamId: 'st-1',
  jti: `jti-${n}`,
  clientId: 'rs-1',
  eventType: TYPE,
  sourceKey: `ev-${n}`,
  method: 'poll',
  claims: { iat: 1_800_000_000, subId: { format: 'opaque', id: 'x' }, events: { [TYPE]: {} } },
});

describe('SetPolling (RFC 8936), long polls', () => {
  let dir: string;
  let store: SqlSsfStore;
  let wakeUps: PollWakeUps;
  let leaving: AbortController;
  let polling: SetPolling;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ssf-poll-'));
    store = await createSsfStore({ driver: 'sqlite', file: join(dir, 'ssf.sqlite') });
    wakeUps = new PollWakeUps((ids) => store.pollStreamsReady(ids), { recheckMs: RECHECK_MS });
    leaving = new AbortController();
    const tokens = {
      signSecurityEvents: async ({ sets }: { sets: { jti: string }[] }) => ({
        tokens: sets.map((s) => `set.${s.jti}`),
      }),
    } as unknown as TokenRpcClient;
    const health = { leavingRotation: leaving.signal } as HealthRegistry;
    polling = new SetPolling(store, tokens, wakeUps, health);
    await store.upsertStream(stream());
  });
  afterEach(async () => {
    wakeUps.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const poll = (over: { waitMs?: number; signal?: AbortSignal; ack?: string[] } = {}) =>
    polling.poll({
      clientId: 'rs-1',
      streamId: 'st-1',
      ack: over.ack ?? [],
      setErrs: {},
      ...(over.waitMs === undefined ? {} : { waitMs: over.waitMs }),
      ...(over.signal === undefined ? {} : { signal: over.signal }),
    });
  const timed = async <T>(work: Promise<T>) => {
    const started = Date.now();
    const value = await work;
    return { value, ms: Date.now() - started };
  };
  const later = (ms: number, work: () => unknown) => setTimeout(() => void work(), ms);

  it('without a wait, answers at once even with nothing pending', async () => {
    const { value, ms } = await timed(poll());
    expect(value).toEqual({ sets: {}, moreAvailable: false });
    expect(ms).toBeLessThan(RECHECK_MS * 4);
  });

  it('holds an empty answer until a SET is queued in this process, then answers with it', async () => {
    later(100, () => wakingHeldPolls(store, wakeUps).schedule([delivery(1)], Date.now()));
    const { value, ms } = await timed(poll({ waitMs: 5_000 }));
    expect(value).toEqual({ sets: { 'jti-1': 'set.jti-1' }, moreAvailable: false });
    expect(ms).toBeGreaterThanOrEqual(90);
    expect(ms).toBeLessThan(1_000);
    expect(wakeUps.held).toBe(0);
  });

  it("finds a SET another replica queued at the next re-check (the queue, not this process's fan-out)", async () => {
    later(100, () => store.schedule([delivery(2)], Date.now()));
    const { value, ms } = await timed(poll({ waitMs: 5_000 }));
    expect(Object.keys(value.sets)).toEqual(['jti-2']);
    expect(ms).toBeLessThan(100 + RECHECK_MS * 4);
  });

  it('answers empty at the bound when nothing comes; acknowledgements are applied first', async () => {
    await store.schedule([delivery(3)], Date.now());
    const { value, ms } = await timed(poll({ waitMs: 200, ack: ['jti-3'] }));
    expect(value).toEqual({ sets: {}, moreAvailable: false });
    expect(ms).toBeGreaterThanOrEqual(190);
    expect(ms).toBeLessThan(1_000);
    expect(await store.get({ streamId: 'st-1', jti: 'jti-3' })).toMatchObject({
      status: 'delivered',
    });
  });

  it('answers empty at once when the caller gives up or the process leaves rotation', async () => {
    const caller = new AbortController();
    later(50, () => caller.abort());
    const cancelled = await timed(poll({ waitMs: 10_000, signal: caller.signal }));
    expect(cancelled.value).toEqual({ sets: {}, moreAvailable: false });
    expect(cancelled.ms).toBeLessThan(1_000);

    later(50, () => leaving.abort());
    const stopping = await timed(poll({ waitMs: 10_000 }));
    expect(stopping.value).toEqual({ sets: {}, moreAvailable: false });
    expect(stopping.ms).toBeLessThan(1_000);
  });

  it('holds a paused stream; enabled with its held SET, it answers with it', async () => {
    await store.upsertStream(stream({ status: 'paused', version: 2 }));
    await store.schedule([delivery(4)], Date.now());
    later(100, () => store.upsertStream(stream({ status: 'enabled', version: 3 })));
    const { value, ms } = await timed(poll({ waitMs: 5_000 }));
    expect(Object.keys(value.sets)).toEqual(['jti-4']);
    expect(ms).toBeLessThan(100 + RECHECK_MS * 4);
  });

  it('ends a held poll empty when the stream is deleted meanwhile', async () => {
    later(100, async () => {
      await store.upsertStream(stream({ status: 'deleted', version: 2 }));
      wakeUps.notify(['st-1']);
    });
    const { value, ms } = await timed(poll({ waitMs: 5_000 }));
    expect(value).toEqual({ sets: {}, moreAvailable: false });
    expect(ms).toBeLessThan(1_000);
  });
});
